"""Fixed-time trajectories (paper Figs. 27-30): best-so-far improvement against retrain seconds.

One figure per objective; the first panel pools every target class, then one panel per class.
Per strategy the solid line is the maximum and the dashed line the mean over the searches.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import STRATEGY_ORDER, panel_grid, save_figure, strategy_colors, suptitle

#: The paper's figure number of each objective's fixed-time experiment.
PAPER_FIGURE = {"cr": 27, "cba": 28, "oba": 29, "of1": 30}
GRID_POINTS = 200


def improvement_curves(traj: pd.DataFrame, m0_by_search: dict[str, float], grid: np.ndarray) -> np.ndarray:
    """Rows: searches (in ``traj`` order); columns: best-so-far minus M0 at ``grid`` seconds (NaN before
    a search's first trial, its final value after its last)."""
    curves = []
    for search_id, group in traj.groupby("search_id", sort=False):
        group = group.sort_values("trial_index")
        seconds = group["cumulative_retrain_seconds"].to_numpy(float)
        best = group["best_so_far"].to_numpy(float) - m0_by_search.get(search_id, np.nan)
        at = np.searchsorted(seconds, grid, side="right") - 1
        curves.append(np.where(at >= 0, best[np.clip(at, 0, None)], np.nan))
    return np.array(curves).reshape(len(curves), len(grid))


def _m0_by_search(results: ResultsDir) -> dict[str, float]:
    summary = results.summary
    return dict(zip(summary["search_id"].astype(str), summary["m0_val"].astype(float)))


def _draw_panel(ax, traj: pd.DataFrame, m0: dict[str, float], grid: np.ndarray, colors: dict) -> int:
    """Max (solid) and mean (dashed, only over 2+ searches) per strategy; returns the most searches
    any strategy has in this panel."""
    strategies = sorted(
        set(traj["strategy"]), key=lambda s: (STRATEGY_ORDER.index(s) if s in STRATEGY_ORDER else 99, s)
    )
    most = 0
    for strategy in strategies:
        curves = 100 * improvement_curves(traj[traj["strategy"] == strategy], m0, grid)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns before the first trial
            best, mean = np.nanmax(curves, axis=0), np.nanmean(curves, axis=0)
        ax.step(grid, best, where="post", color=colors[strategy], label=f"{strategy.upper()} max")
        if len(curves) > 1:
            ax.step(
                grid, mean, where="post", color=colors[strategy], ls="--", label=f"{strategy.upper()} mean"
            )
        most = max(most, len(curves))
    ax.axhline(0, color="0.3", lw=0.8, ls=":", label="M0")
    ax.grid(alpha=0.3)
    return most


def fig_trajectories(results: ResultsDir, objective: str, path: str | Path) -> Path:
    """Paper Figs. 27-30 for one objective: max and mean best-so-far improvement per strategy."""
    traj = results.trajectory
    if traj is None:
        raise UserInputError(f"{results.path} has no trajectory.parquet")
    traj = traj[traj["objective"] == objective].assign(
        search_id=lambda f: f["search_id"].astype(str), target_class=lambda f: f["target_class"].astype(str)
    )
    if traj.empty:
        raise UserInputError(f"trajectory.parquet holds no search with objective {objective!r}")
    m0 = _m0_by_search(results)
    grid = np.linspace(0.0, float(traj["cumulative_retrain_seconds"].max()), GRID_POINTS)
    colors = strategy_colors(sorted(set(traj["strategy"])))
    classes = [c for c in results.classes_by_size() if c in set(traj["target_class"])]
    panels = [("all target classes", traj)] if len(classes) > 1 else []
    panels += [(f"class {c}", traj[traj["target_class"] == c]) for c in classes]
    fig, axes = panel_grid(len(panels), 3, width=5.2, height=3.9)
    name = objective.upper()
    legend: dict[str, object] = {}
    for ax, (title, frame) in zip(axes.ravel(), panels):
        most = _draw_panel(ax, frame, m0, grid, colors)
        ax.set_title(
            title + (f" ({most} searches per strategy)" if most > 1 else " (1 search per strategy)"),
            fontsize=10,
        )
        ax.set_xlabel("cumulative retrain seconds")
        ax.set_ylabel(f"Δ best validation {name} so far (pp)")
        legend.update(zip(*reversed(ax.get_legend_handles_labels())))
    order = sorted(legend, key=lambda label: label == "M0")  # stable: strategies as drawn, M0 last
    fig.legend(
        [legend[k] for k in order],
        order,
        loc="lower center",
        ncol=min(len(order), 9),
        fontsize=8,
        title="strategy: max (solid) and mean (dashed) over searches",
    )
    number = PAPER_FIGURE.get(objective)
    paper = f" (paper Fig. {number} analog)" if number else ""
    suptitle(
        fig, f"Fixed-time trajectories, objective {name}: improvement over M0 of the best trial so far{paper}"
    )
    height = fig.get_figheight()
    return save_figure(fig, path, rect=(0, 0.9 / height, 1, 1))


def trajectory_objectives(results: ResultsDir) -> list[str]:
    """Objectives present in trajectory.parquet, in the paper's order (CR, CBA, OBA, OF1)."""
    traj = results.trajectory
    if traj is None:
        return []
    present = set(traj["objective"])
    return [o for o in PAPER_FIGURE if o in present] + sorted(present - set(PAPER_FIGURE))
