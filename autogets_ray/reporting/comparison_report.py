"""The report's "search vs no-search" table and the repeated-splits page (intervals and a plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.experiment.comparison import method_deltas
from autogets_ray.metric_names import delta_column
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.paper_tables import DELTA_PREFIX, formatted
from autogets_ray.reporting.plotting import (
    baseline_style,
    panel_grid,
    save_figure,
    strategy_color,
    strategy_gid,
)

SPLIT_SUMMARY_FILE = "split_summary.csv"
COMPARISON_LABELS = {
    "target_class": "class",
    "objective": "objective",
    "method": "method",
    "choice": "choice",
    delta_column("objective", "val"): f"{DELTA_PREFIX} objective val",
    delta_column("objective", "test"): f"{DELTA_PREFIX} objective test",
    delta_column("cba", "test"): f"{DELTA_PREFIX} CBA test",
    delta_column("oba", "test"): f"{DELTA_PREFIX} OBA test",
}


def search_vs_no_search(results: ResultsDir) -> pd.DataFrame:
    """Per class and objective: each search's pick, its recommendation and every baseline, as changes
    over M0; ValueError when the directory has no ``baselines.csv`` (results before baselines)."""
    path = results.optional_path("baselines.csv")
    if path is None:
        raise UserInputError(
            f"{results.path} has no baselines.csv (written by autogets search, matrix and quickstart)"
        )
    frame = method_deltas(results.summary, pd.read_csv(path))
    frame = frame.sort_values(["target_class", "objective"], kind="stable")
    return frame[list(COMPARISON_LABELS)].rename(columns=COMPARISON_LABELS)


def splits_table(path: Path) -> pd.DataFrame:
    """``split_summary.csv`` for display: mean and 95% interval of each method's test changes."""
    table = pd.read_csv(path)
    out = table[["target_class", "objective", "method", "splits"]].rename(columns={"target_class": "class"})
    for column, label in ((delta_column("cba", "test"), "CBA"), (delta_column("oba", "test"), "OBA")):
        out[f"{DELTA_PREFIX} {label} test"] = table[f"{column}_mean"]
        out[f"{label} 95% interval"] = [
            "n/a" if pd.isna(lo) else f"[{lo:+.4f}, {hi:+.4f}]"
            for lo, hi in zip(table[f"{column}_low"], table[f"{column}_high"])
        ]
    if "chose_m0" in table:
        out["chose M0/baseline/search"] = [
            "" if pd.isna(m) else f"{int(m)}/{int(b)}/{int(s)}"
            for m, b, s in zip(table["chose_m0"], table["chose_baseline"], table["chose_search"])
        ]
    return formatted(out)


def method_style(method: str, kind: str) -> dict[str, Any]:
    """Scatter style of a method of :func:`method_deltas`: a search (filled) and its recommendation
    (``<strategy>+decision``, a ring) in the strategy's colour; a baseline in its fixed style."""
    if kind == "baseline":
        style = baseline_style(method)
        return {"color": style["color"], "marker": style["marker"], "edgecolors": style["edgecolor"], "s": 45}
    strategy = method.removesuffix("+decision")
    color = strategy_color(strategy)
    if kind == "decision":
        return {
            "facecolors": "none",
            "edgecolors": color,
            "linewidths": 1.6,
            "s": 55,
            "gid": strategy_gid(strategy),
        }
    return {"color": color, "s": 45, "gid": strategy_gid(strategy)}


def plot_split_intervals(path: Path, out: Path) -> Path:
    """One panel per class: each method's mean test change in CBA with its 95% interval."""
    table = pd.read_csv(path)
    panels = list(table.groupby(["target_class", "objective"], sort=False))
    fig, axes = panel_grid(len(panels), 2, width=6.0, height=0.45 * table["method"].nunique() + 1.5)
    for ax, ((target, objective), group) in zip(axes.ravel(), panels):
        group = group.reset_index(drop=True)
        cba = delta_column("cba", "test")
        mean = group[f"{cba}_mean"]
        low = (mean - group[f"{cba}_low"]).fillna(0.0)
        high = (group[f"{cba}_high"] - mean).fillna(0.0)
        ax.errorbar(mean, range(len(group)), xerr=[low, high], fmt="none", ecolor="0.4", capsize=3)
        for i, (method, kind, value) in enumerate(zip(group["method"], group["kind"], mean)):
            ax.scatter([value], [i], zorder=3, **method_style(str(method), str(kind)))
        ax.set_yticks(range(len(group)), group["method"].tolist())
        ax.axvline(0.0, color="0.3", ls="--", lw=1)
        ax.set_title(f"class {target} (objective {objective.upper()})")
        ax.set_xlabel("test change in CBA over M0 (mean, 95% interval)")
        ax.grid(alpha=0.3, axis="x")
    return save_figure(fig, out)
