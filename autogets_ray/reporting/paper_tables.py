"""The paper's Tables 1-3 from a results directory's files (m0.json, summary.csv, lookup.csv).

Values stay numeric; :func:`formatted` turns a table into display strings (signed deltas).
"""

from __future__ import annotations

import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, delta_column, metric_column
from autogets_ray.metrics import CLASS_OBJECTIVES, OBJECTIVES, objectives_in
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import strategy_rank

DELTA_PREFIX = "Δ"
M0_OBJECTIVE = "M0 objective (val)"
M0_CBA = "M0 CBA (val)"


def table1_m0(results: ResultsDir) -> pd.DataFrame:
    """Table 1 analog: M0 per class (largest first) on val and test, and an ``overall`` row.

    Per class: every class objective M0 was scored on (CR, CBA and, with decision scores, AUC),
    then the class F1. In the overall row the CR columns hold accuracy, CBA columns OBA and F1
    columns OF1 (other columns: n/a).
    """
    sizes = results.split_sizes
    metrics = [m for m in objectives_in(results.m0["val"]) if m in CLASS_OBJECTIVES] + ["f1"]
    rows = []
    for name in results.classes_by_size():
        row: dict[str, object] = {"class": name}
        if sizes is not None:
            row["size"] = int(sizes.loc[name, "total"]) if name in sizes.index else 0
            row["train"] = int(sizes.loc[name, "train"]) if name in sizes.index else 0
        for part in SPLITS:
            m0 = results.m0[part]
            for metric in metrics:
                row[f"{part} {metric.upper()}"] = m0.get(metric_column(metric, name), float("nan"))
        rows.append(row)
    overall: dict[str, object] = {"class": "overall"}
    if sizes is not None:
        overall["size"] = int(sizes["total"].sum())
        overall["train"] = int(sizes["train"].sum())
    overall_of = {"cr": "accuracy", "cba": "oba", "f1": "of1"}
    for part in SPLITS:
        m0 = results.m0[part]
        for metric in metrics:
            overall[f"{part} {metric.upper()}"] = m0.get(overall_of.get(metric, ""), float("nan"))
    rows.append(overall)
    return pd.DataFrame(rows)


def _class_rank(results: ResultsDir) -> dict[str, int]:
    return {name: i for i, name in enumerate(results.classes_by_size())}


def table2_improvements(results: ResultsDir) -> pd.DataFrame:
    """Table 2 analog: per class x strategy x objective, M0 and the best trial's ΔOBA / ΔCBA.

    The best trial is the one with the highest validation objective; test never selects. The
    "M0 objective" column is left out when every search's objective is CBA (it would repeat M0's CBA).
    """
    summary = results.summary
    rank = _class_rank(results)
    sizes = results.split_sizes
    frame = pd.DataFrame(
        {
            "class": summary["target_class"].astype(str),
            "strategy": summary["strategy"],
            "objective": summary["objective"],
            "trials": summary["trials"].astype(int),
            M0_OBJECTIVE: summary["m0_val"],
            M0_CBA: summary["m0_cba"],
            **{
                f"{DELTA_PREFIX}{metric.upper()} {part}": summary[delta_column(metric, part)]
                for part in SPLITS
                for metric in ("oba", "cba")
            },
        }
    )
    if (frame["objective"].astype(str) == "cba").all():
        frame = frame.drop(columns=M0_OBJECTIVE)
    if sizes is not None:
        frame.insert(1, "train", [int(sizes["train"].get(c, 0)) for c in frame["class"]])
    objectives = {name: i for i, name in enumerate(OBJECTIVES)}
    frame = frame.assign(
        _c=frame["class"].map(rank).fillna(len(rank)),
        _s=[strategy_rank(str(s))[0] for s in frame["strategy"]],
        _o=frame["objective"].map(objectives).fillna(len(objectives)),
    )
    keys = ["_c", "_s", "strategy", "_o", "objective"]
    return frame.sort_values(keys).drop(columns=["_c", "_s", "_o"]).reset_index(drop=True)


def table3_lookup(results: ResultsDir, lookup: pd.DataFrame) -> pd.DataFrame:
    """Table 3 analog: the best strategy-objective per class and metric, with its val/test change."""
    required = {"target_class", "metric", "strategy", "objective", "delta_val", "delta_test"}
    missing = required - set(lookup.columns)
    if missing:
        raise UserInputError(f"knowledge_base/lookup.csv lacks column(s) {', '.join(sorted(missing))}")
    cells = lookup.assign(
        cell=[
            f"{s.upper()}-{o.upper()} ({_signed(v)} val, {_signed(t)} test)"
            for s, o, v, t in zip(
                lookup["strategy"], lookup["objective"], lookup["delta_val"], lookup["delta_test"]
            )
        ],
        target_class=lookup["target_class"].astype(str),
    )
    table = cells.pivot_table(index="target_class", columns="metric", values="cell", aggfunc="first")
    metrics = [m for m in OBJECTIVES if m in table.columns] + [
        m for m in table.columns if m not in OBJECTIVES
    ]
    rank = _class_rank(results)
    table = table[metrics].reindex(sorted(table.index, key=lambda c: (rank.get(c, len(rank)), c)))
    table.columns = [f"best for {m.upper()}" for m in metrics]
    return table.fillna("–").rename_axis("class").reset_index()


def _signed(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:+.4f}"


def formatted(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Display strings: Δ columns signed with 4 decimals, other floats with ``digits``."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            if str(column).startswith(DELTA_PREFIX):
                out[column] = [_signed(v) for v in out[column]]
            else:
                out[column] = ["n/a" if pd.isna(v) else f"{v:.{digits}f}" for v in out[column]]
    return out.astype(str)
