"""Search vs no-search: every method's test change over M0, per experiment and over repeated splits.

Methods of one experiment, per target class and objective (``comparison.csv``):
- ``<strategy>``: the search's best-validation candidate (what the paper reports);
- ``<strategy>+decision``: what the search recommends (its candidate, a baseline, or M0: a change
  of 0), counted by kind;
- each no-search baseline but ``m0``.

Over several split seeds each method's change gets a mean and a 95% t-interval
(mean +- t_{0.975, n-1} * sd / sqrt(n); none from one split). Validation chose every row; test
only reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from autogets_ray.metric_names import delta_column, metric_column

#: the changes over M0 each method gets: its objective's on val and test, the class CBA and OBA on test
DELTA_COLUMNS = [
    delta_column("objective", "val"),
    delta_column("objective", "test"),
    delta_column("cba", "test"),
    delta_column("oba", "test"),
]
COMPARISON_COLUMNS = [
    "target_class",
    "objective",
    "method",
    "kind",
    "choice",
    *DELTA_COLUMNS,
    "recommendation_kind",
]


def method_deltas(summary: pd.DataFrame, baselines: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (class, objective, method) of one experiment: its changes over M0 (val and test)."""
    objective_val, objective_test, cba_test, oba_test = DELTA_COLUMNS
    rows = []
    for _, s in summary.iterrows():
        common = {"target_class": s["target_class"], "objective": s["objective"]}
        rows.append(
            {
                **common,
                "method": s["strategy"],
                "kind": "search",
                "choice": s["best_candidate"],
                objective_val: s["best_val_delta"],
                objective_test: s["best_test_delta"],
                cba_test: s[cba_test],
                oba_test: s[oba_test],
                "recommendation_kind": "",
            }
        )
        kind = s["recommendation_kind"]
        rows.append(
            {
                **common,
                "method": f"{s['strategy']}+decision",
                "kind": "decision",
                "choice": s["recommendation"],
                objective_val: s["recommended_val_delta"],
                objective_test: s["recommended_test_delta"],
                cba_test: s[f"recommended_{cba_test}"],
                oba_test: s[f"recommended_{oba_test}"],
                "recommendation_kind": kind,
            }
        )
    if baselines is not None and not baselines.empty:
        for (target, objective), group in baselines.groupby(["target_class", "objective"], sort=False):
            m0 = group[group["baseline"] == "m0"]
            if m0.empty:
                continue
            m0 = m0.iloc[0]
            cba, oba = metric_column("cba", target, "test"), metric_column("oba", split="test")
            for _, b in group[group["baseline"] != "m0"].iterrows():
                rows.append(
                    {
                        "target_class": target,
                        "objective": objective,
                        "method": b["baseline"],
                        "kind": "baseline",
                        "choice": b["baseline"],
                        objective_val: b["val_objective"] - m0["val_objective"],
                        objective_test: b["test_objective"] - m0["test_objective"],
                        cba_test: b[cba] - m0[cba],
                        oba_test: b[oba] - m0[oba],
                        "recommendation_kind": "",
                    }
                )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the two ends of its t-interval; NaN ends for fewer than two values."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return mean, mean - half, mean + half


def across_splits(per_split: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Mean and 95% interval of each method's test changes over the splits (``method_deltas`` each)."""
    frames = [frame.assign(split_seed=seed) for seed, frame in per_split.items()]
    if not frames:
        return pd.DataFrame()
    data = pd.concat(frames, ignore_index=True)
    rows = []
    for (target, objective, method, kind), group in data.groupby(
        ["target_class", "objective", "method", "kind"], sort=False
    ):
        row = {
            "target_class": target,
            "objective": objective,
            "method": method,
            "kind": kind,
            "splits": int(group["split_seed"].nunique()),
        }
        for column in DELTA_COLUMNS:
            mean, low, high = t_interval(group[column].to_numpy())
            row.update({f"{column}_mean": mean, f"{column}_low": low, f"{column}_high": high})
        if kind == "decision":
            counts = group["recommendation_kind"].value_counts()
            row.update({f"chose_{k}": int(counts.get(k, 0)) for k in ("m0", "baseline", "search")})
        rows.append(row)
    return pd.DataFrame(rows)
