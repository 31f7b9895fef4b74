"""A Pareto search's results (Ray-free): its front, hypervolume, recommended point and figure.

A ``mode: pareto`` search (:mod:`autogets_ray.search.pareto_ga`) optimises two or three objectives
at once. Its *front* is the set of its trials that no other trial of the search beats on every
objective's **validation** value. Test values of the same trials are reported beside them, never
used to choose.

The recommendation rule: of the front's points that keep every objective after the first at or
above M0's validation value, the one with the highest first objective (ties: proposed first). With
``objectives: [cr, oba]`` that is the largest class recall that does not lower overall accuracy.
When no point of the front keeps them, the search recommends nothing and the decision
(:mod:`autogets_ray.experiment.decision`) falls back to a baseline or M0.

The hypervolume (:func:`autogets_ray.metrics.hypervolume`) is measured against M0's point: the
volume of objective space the front gains over the unaugmented model, on validation and on test.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.experiment.evaluation import ScoredCandidate
from autogets_ray.experiment.results import in_proposal_order
from autogets_ray.metric_names import SPLITS, metric_column
from autogets_ray.metrics import hypervolume, objective_column
from autogets_ray.search.genetic import non_dominated_fronts

FRONT_FILE = "pareto_front.csv"
HYPERVOLUME_FILE = "pareto_summary.csv"
FIGURE_FILE = "pareto_front.png"


def objective_columns(objectives: Sequence[str], target: str, split: str) -> list[str]:
    return [objective_column(name, target, split) for name in objectives]


def m0_point(m0: ScoredCandidate, objectives: Sequence[str], target: str, split: str) -> np.ndarray:
    evaluation = m0.val if split == "val" else m0.test
    return np.array([evaluation.objective(name, target) for name in objectives], dtype=float)


def front_rows(group: pd.DataFrame, objectives: Sequence[str], target: str) -> pd.DataFrame:
    """The trials of one search on its validation front, in proposal order (no duplicate subsets)."""
    ordered = in_proposal_order(group).drop_duplicates("example_ids", keep="first").reset_index(drop=True)
    points = ordered[objective_columns(objectives, target, "val")].to_numpy(dtype=float)
    valid = np.isfinite(points).all(axis=1)
    if not valid.any():
        return ordered.iloc[0:0]
    rows = np.flatnonzero(valid)
    front = non_dominated_fronts(points[rows])[0]
    return ordered.iloc[sorted(rows[front])].reset_index(drop=True)


def recommended_point(
    front: pd.DataFrame, objectives: Sequence[str], target: str, m0_val: np.ndarray
) -> pd.Series | None:
    """The module docstring's rule on a front (rows in proposal order); None when no point keeps
    every other objective at or above M0's."""
    columns = objective_columns(objectives, target, "val")
    values = front[columns].to_numpy(dtype=float)
    keeps = (values[:, 1:] >= m0_val[1:]).all(axis=1) if len(values) else np.zeros(0, bool)
    if not keeps.any():
        return None
    candidates = np.flatnonzero(keeps)
    best = candidates[int(np.argmax(values[candidates, 0]))]  # argmax: the first of equal values
    return front.iloc[best]


class FrontChooser:
    """A ``summary`` chooser: one search's trials -> its recommended point on the front (or None)."""

    def __init__(self, objectives: Sequence[str], m0: ScoredCandidate) -> None:
        self.objectives, self.m0 = list(objectives), m0
        others = ", ".join(self.objectives[1:])
        #: the decision's reason when the rule finds no point
        self.no_candidate = f"no point of the search's front keeps {others} at or above M0's"

    def __call__(self, group: pd.DataFrame) -> pd.Series | None:
        target = str(group["target_class"].iloc[0])
        front = front_rows(group, self.objectives, target)
        return recommended_point(
            front, self.objectives, target, m0_point(self.m0, self.objectives, target, "val")
        )


def pareto_tables(
    trials: pd.DataFrame, objectives: Sequence[str], m0: ScoredCandidate
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``pareto_front.csv`` (one row per front point: both objectives on val and test, whether it is
    the recommended point) and ``pareto_summary.csv`` (per search: front size, hypervolume over M0
    on val and test, M0's point, the recommended candidate)."""
    fronts, summaries = [], []
    for search_id, group in trials.groupby("search_id", sort=False):
        target = str(group["target_class"].iloc[0])
        front = front_rows(group, objectives, target)
        m0_val = m0_point(m0, objectives, target, "val")
        pick = recommended_point(front, objectives, target, m0_val)
        picked = str(pick["candidate_id"]) if pick is not None else ""
        table = pd.DataFrame(
            {
                "search_id": search_id,
                "strategy": front["strategy"],
                "target_class": target,
                "candidate_id": front["candidate_id"].astype(str),
                "subset_size": front["subset_size"],
                **{
                    metric_column(name, split=split): front[objective_column(name, target, split)]
                    for split in SPLITS
                    for name in objectives
                },
                "recommended": front["candidate_id"].astype(str) == picked,
            }
        )
        fronts.append(table)
        row = {
            "search_id": search_id,
            "target_class": target,
            "objectives": ",".join(objectives),
            "trials": len(group),
            "front_size": len(front),
            "recommended_candidate": picked,
        }
        for split in SPLITS:
            reference = m0_point(m0, objectives, target, split)
            points = front[objective_columns(objectives, target, split)].to_numpy(dtype=float)
            row[f"hypervolume_{split}"] = hypervolume(points, reference)
            row.update({f"m0_{split}_{n}": float(v) for n, v in zip(objectives, reference)})
        summaries.append(row)
    return (
        pd.concat(fronts, ignore_index=True) if fronts else pd.DataFrame(),
        pd.DataFrame(summaries),
    )


def plot_pareto_fronts(
    trials: pd.DataFrame, front: pd.DataFrame, per_search: pd.DataFrame, path: str | Path
) -> Path:
    """The paper's Fig. 5 from the fronts (:func:`pareto_tables`' two tables): per search, every
    trial's first two objectives on validation (grey), the front (line), M0 (star) and the
    recommended point (ring); beside it the same points on test."""
    from autogets_ray.reporting.plotting import (
        baseline_style,
        panel_grid,
        save_figure,
        strategy_color,
        strategy_gid,
    )

    m0_style = baseline_style("m0")
    fig, axes = panel_grid(2 * len(per_search), 2, width=5.2, height=4.2)
    for row, search in enumerate(per_search.itertuples(index=False)):
        objectives = str(search.objectives).split(",")
        target, names = str(search.target_class), objectives[:2]
        group = trials[trials["search_id"] == search.search_id]
        points = front[front["search_id"] == search.search_id]
        strategy = str(group["strategy"].iloc[0]) if len(group) else ""
        color = strategy_color(strategy)
        for col, split in enumerate(SPLITS):
            ax = axes.ravel()[2 * row + col]
            x_col, y_col = objective_columns(names, target, split)
            ax.scatter(group[x_col], group[y_col], s=12, color="0.7", label="trials")
            x_front, y_front = (metric_column(n, split=split) for n in names)
            line = points.sort_values([x_front, y_front])
            style = "o-" if split == "val" else "o"  # on test the same points need not form a front
            ax.plot(
                line[x_front],
                line[y_front],
                style,
                color=color,
                ms=4,
                label=f"validation front ({strategy.upper()})",
                gid=strategy_gid(strategy),
            )
            m0 = [getattr(search, f"m0_{split}_{n}") for n in names]
            ax.scatter(
                [m0[0]],
                [m0[1]],
                marker=m0_style["marker"],
                s=140,
                color=m0_style["color"],
                edgecolors=m0_style["edgecolor"],
                label="M0",
                zorder=3,
            )
            pick = points[points["recommended"].astype(bool)]
            ax.scatter(
                pick[x_front], pick[y_front], s=120, facecolors="none", edgecolors="k", label="recommended"
            )
            ax.set_title(f"{search.search_id} ({'validation' if split == 'val' else 'test'})", fontsize=9)
            ax.set_xlabel(names[0].upper() + (f" [{target}]" if x_col.endswith("]") else ""))
            ax.set_ylabel(names[1].upper() + (f" [{target}]" if y_col.endswith("]") else ""))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    return save_figure(fig, path)
