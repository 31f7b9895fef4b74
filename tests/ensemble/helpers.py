"""A tiny synthetic experiment whose metrics are additive: M0 plus each step's own deltas.

Classes A (size 100), B (50), C (20). Each trial is given by its deltas from M0 on validation
(test deltas are half of them), so the trials table, the knowledge base and a fake ``evaluate``
(M0 + the sum of the chosen steps' deltas) agree exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from autogets_ray.ensemble.candidates import Step
from autogets_ray.ensemble.knowledge import ResultTables

CLASSES = ("A", "B", "C")
SIZES = {"A": 100, "B": 50, "C": 20}
M0_VAL = {
    "oba": 0.80,
    "of1": 0.70,
    "accuracy": 0.7,
    "cr[A]": 0.90,
    "cba[A]": 0.90,
    "f1[A]": 0.9,
    "cr[B]": 0.70,
    "cba[B]": 0.75,
    "f1[B]": 0.7,
    "cr[C]": 0.40,
    "cba[C]": 0.60,
    "f1[C]": 0.5,
}
M0_TEST = {k: v - 0.1 for k, v in M0_VAL.items()}
#: (search_id, candidate_id) -> validation deltas from M0 (missing keys: 0)
TRIALS: dict[tuple[str, str], dict[str, float]] = {
    ("B-sw-cba", "b1"): {"cba[B]": 0.10, "cr[B]": 0.10, "oba": 0.01, "cba[C]": 0.02},
    ("B-sw-cba", "b2"): {"cba[B]": 0.04, "cr[B]": 0.20, "oba": 0.03},
    ("B-ga-oba", "b3"): {"cba[B]": 0.10, "oba": 0.02, "of1": 0.01, "cba[A]": -0.01},
    ("C-sw-cba", "c1"): {"cba[C]": 0.20, "cr[C]": 0.10, "oba": 0.005, "cba[B]": -0.08},
    ("C-sw-cba", "c2"): {"cba[C]": 0.05, "cr[C]": 0.30, "oba": 0.002},
    ("C-ga-oba", "c3"): {"cba[C]": 0.10, "oba": 0.04, "of1": 0.02, "cba[B]": 0.03},
}


def metrics(deltas: Mapping[str, float], n_synthetic: int = 0) -> dict[str, float]:
    """Prefixed val_/test_ metrics: M0 plus ``deltas`` (test moves by half the delta)."""
    out: dict[str, float] = {"n_synthetic": float(n_synthetic)}
    for key in M0_VAL:
        out[f"val_{key}"] = M0_VAL[key] + deltas.get(key, 0.0)
        out[f"test_{key}"] = M0_TEST[key] + deltas.get(key, 0.0) / 2
    return out


def trials_frame(trials: Mapping[tuple[str, str], Mapping[str, float]] = TRIALS) -> pd.DataFrame:
    rows = []
    for order, ((search_id, candidate), deltas) in enumerate(trials.items()):
        target, strategy, objective = search_id.split("-")
        row = {
            "search_id": search_id,
            "strategy": strategy,
            "target_class": target,
            "objective": objective,
            "candidate_id": candidate,
            "example_ids": json.dumps([order]),
            "completed_order": order,
            **metrics(deltas, 10),
        }
        key = f"{objective}[{target}]" if objective in ("cr", "cba") else objective
        row["val_objective"], row["test_objective"] = row[f"val_{key}"], row[f"test_{key}"]
        rows.append(row)
    return pd.DataFrame(rows)


def tables(trials: Mapping[tuple[str, str], Mapping[str, float]] = TRIALS) -> ResultTables:
    return ResultTables(trials_frame(trials), {"val": dict(M0_VAL), "test": dict(M0_TEST)}, dict(SIZES))


class FakeEvaluate:
    """M0 + the sum of the chosen steps' deltas; ``overrides`` replace the deltas of given step sets."""

    def __init__(
        self,
        trials: Mapping[tuple[str, str], Mapping[str, float]] = TRIALS,
        overrides: Mapping[frozenset[str], Mapping[str, float]] | None = None,
    ) -> None:
        self.trials, self.overrides = trials, dict(overrides or {})
        self.calls: list[list[str]] = []

    def __call__(self, steps: Sequence[Step]) -> dict[str, float]:
        ids = [s.candidate_id for s in steps]
        self.calls.append(ids)
        key = frozenset(ids)
        if key in self.overrides:
            return metrics(self.overrides[key], 10 * len(ids))
        total: dict[str, float] = {}
        for step in steps:
            for k, v in self.trials[(step.search_id, step.candidate_id)].items():
                total[k] = total.get(k, 0.0) + v
        return metrics(total, 10 * len(ids))


def write_results(root: Path, trials: Mapping[tuple[str, str], Mapping[str, float]] = TRIALS) -> Path:
    """A results directory with just trials.parquet and m0.json (enough for the knowledge base)."""
    root.mkdir(parents=True, exist_ok=True)
    trials_frame(trials).to_parquet(root / "trials.parquet", index=False)
    (root / "m0.json").write_text(json.dumps({"val": M0_VAL, "test": M0_TEST}))
    return root
