"""Fixed-time trajectories (paper Figs. 27-30): best-so-far improvement against retrain seconds.

One figure per objective; the first panel pools every target class, then one panel per class.
Per strategy the solid line is the maximum and the dashed line the mean over the searches. The
curve is the improvement over M0 of the best model so far, M0 included (a search starts from M0
and keeps it until a trial beats it): it starts at 0 at 0 seconds and never drops below 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import (
    legend_below,
    panel_grid,
    save_figure,
    strategy_color,
    strategy_gid,
    strategy_rank,
    suptitle,
)

#: The paper's figure number of each objective's fixed-time experiment.
PAPER_FIGURE = {"cr": 27, "cba": 28, "oba": 29, "of1": 30}
GRID_POINTS = 200


def improvement_curves(traj: pd.DataFrame, m0_by_search: dict[str, float], grid: np.ndarray) -> np.ndarray:
    """Rows: searches (in ``traj`` order); columns: the best of M0 and the trials finished by ``grid``
    seconds, minus M0 (0 before a search's first trial and while no trial beats M0; its final value
    after its last trial). NaN for a search whose M0 is unknown."""
    curves = []
    for search_id, group in traj.groupby("search_id", sort=False):
        group = group.sort_values("trial_index")
        seconds = group["cumulative_retrain_seconds"].to_numpy(float)
        m0 = m0_by_search.get(search_id, np.nan)
        best = np.maximum.accumulate(group["best_so_far"].to_numpy(float)) - m0
        at = np.searchsorted(seconds, grid, side="right") - 1
        curve = np.where(at >= 0, np.maximum(best[np.clip(at, 0, None)], 0.0), 0.0)
        curves.append(curve if np.isfinite(m0) else np.full(len(grid), np.nan))
    return np.array(curves).reshape(len(curves), len(grid))


def _m0_by_search(results: ResultsDir) -> dict[str, float]:
    summary = results.summary
    return dict(zip(summary["search_id"].astype(str), summary["m0_val"].astype(float)))


def _draw_panel(ax: Any, traj: pd.DataFrame, m0: dict[str, float], grid: np.ndarray) -> int:
    """Max (solid) and mean (dashed, only over 2+ searches) per strategy; returns the most searches
    any strategy has in this panel."""
    most = 0
    for strategy in sorted(set(traj["strategy"]), key=strategy_rank):
        color, gid = strategy_color(strategy), strategy_gid(strategy)
        curves = 100 * improvement_curves(traj[traj["strategy"] == strategy], m0, grid)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # searches without a known M0
            best, mean = np.nanmax(curves, axis=0), np.nanmean(curves, axis=0)
        ax.step(grid, best, where="post", color=color, label=f"{strategy.upper()} max", gid=gid)
        if len(curves) > 1:
            ax.step(grid, mean, where="post", color=color, ls="--", label=f"{strategy.upper()} mean", gid=gid)
        most = max(most, len(curves))
    ax.axhline(0, color="0.3", lw=0.8, ls=":", label="M0 (no improvement)")
    _fit_y(ax)
    ax.set_xlim(grid[0], grid[-1])
    ax.grid(alpha=0.3)
    return most


def _fit_y(ax: Any) -> None:
    """y from 0 (M0) to the highest curve, with a small margin; a flat panel keeps a visible range."""
    values = [np.asarray(line.get_ydata(), float) for line in ax.get_lines()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    top = float(finite.max()) if finite.size else 0.0
    top = top if top > 0 else 1.0
    ax.set_ylim(-0.04 * top, 1.06 * top)


def fig_trajectories(results: ResultsDir, objective: str, path: str | Path) -> Path:
    """Paper Figs. 27-30 for one objective: max and mean improvement over M0 of the best model so far,
    per strategy."""
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
    classes = [c for c in results.classes_by_size() if c in set(traj["target_class"])]
    panels = [("all target classes", traj)] if len(classes) > 1 else []
    panels += [(f"class {c}", traj[traj["target_class"] == c]) for c in classes]
    fig, axes = panel_grid(len(panels), 3, width=5.2, height=3.9)
    name = objective.upper()
    legend: dict[str, object] = {}
    for ax, (title, frame) in zip(axes.ravel(), panels):
        most = _draw_panel(ax, frame, m0, grid)
        ax.set_title(
            title + (f" ({most} searches per strategy)" if most > 1 else " (1 search per strategy)"),
            fontsize=10,
        )
        ax.set_xlabel("cumulative retrain seconds")
        ax.set_ylabel(f"Δ best validation {name} so far (pp)")
        legend.update(zip(*reversed(ax.get_legend_handles_labels())))
    order = sorted(legend, key=lambda label: label.startswith("M0"))  # stable: strategies as drawn, M0 last
    number = PAPER_FIGURE.get(objective)
    paper = f" (paper Fig. {number} analog)" if number else ""
    suptitle(
        fig,
        f"Fixed-time trajectories, objective {name}: improvement over M0 of the best model so far "
        f"(M0 or a trial){paper}",
    )
    legend_below(
        fig,
        [legend[k] for k in order],
        order,
        ncol=min(len(order), 9),
        title="strategy: max (solid) and mean (dashed) over searches",
    )
    return save_figure(fig, path, tight=True)


def trajectory_objectives(results: ResultsDir) -> list[str]:
    """Objectives present in trajectory.parquet, in the paper's order (CR, CBA, OBA, OF1)."""
    traj = results.trajectory
    if traj is None:
        return []
    present = set(traj["objective"])
    return [o for o in PAPER_FIGURE if o in present] + sorted(present - set(PAPER_FIGURE))
