"""Result tables of a search experiment, computed from the per-trial rows (Ray-free).

- trials: one row per finished trial (all val_/test_ metrics, times, LLM counters)
- trajectory: best-so-far objective against cumulative retrain seconds, per search (Figs. 27-30)
- summary: one row per search, like the paper's Table 2 (M0 and the best deltas)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.metrics import Evaluation

SEARCH_KEYS = ["search_id", "strategy", "target_class", "objective"]


def objective_column(objective: str, target_class: str, prefix: str) -> str:
    if objective in ("cr", "cba"):
        return f"{prefix}_{objective}[{target_class}]"
    return f"{prefix}_{objective}"


def trajectory(trials: pd.DataFrame) -> pd.DataFrame:
    """Per search, in completion order: cumulative retrain seconds and best-so-far objective."""
    frames = []
    for keys, group in trials.sort_values("completed_order").groupby(SEARCH_KEYS, sort=False):
        group = group.reset_index(drop=True)
        frames.append(pd.DataFrame({
            **dict(zip(SEARCH_KEYS, keys)),
            "trial_index": np.arange(len(group)),
            "candidate_id": group["candidate_id"],
            "cumulative_retrain_seconds": group["retrain_seconds"].cumsum(),
            "val_objective": group["val_objective"],
            "best_so_far": group["val_objective"].cummax(),
        }))
    columns = SEARCH_KEYS + ["trial_index", "candidate_id", "cumulative_retrain_seconds", "val_objective",
                             "best_so_far"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def summary(trials: pd.DataFrame, m0_val: Evaluation, m0_test: Evaluation) -> pd.DataFrame:
    """One row per search: M0, the best validation trial, and its change on val and test."""
    rows = []
    for (search_id, strategy, target, objective), group in trials.groupby(SEARCH_KEYS, sort=False):
        best = group.loc[group["val_objective"].idxmax()]
        m0_val_value = m0_val.objective(objective, target)
        m0_test_value = m0_test.objective(objective, target)
        cba_val, cba_test = objective_column("cba", target, "val"), objective_column("cba", target, "test")
        rows.append({
            "search_id": search_id,
            "strategy": strategy,
            "target_class": target,
            "objective": objective,
            "trials": len(group),
            "retrain_seconds": float(group["retrain_seconds"].sum()),
            "m0_val": m0_val_value,
            "best_val": float(best["val_objective"]),
            "best_val_delta": float(best["val_objective"]) - m0_val_value,
            "m0_test": m0_test_value,
            "best_test": float(best["test_objective"]),
            "best_test_delta": float(best["test_objective"]) - m0_test_value,
            "m0_cba": m0_val.objective("cba", target),
            "delta_oba_val": float(best["val_oba"]) - m0_val.oba,
            "delta_cba_val": float(best[cba_val]) - m0_val.objective("cba", target),
            "delta_oba_test": float(best["test_oba"]) - m0_test.oba,
            "delta_cba_test": float(best[cba_test]) - m0_test.objective("cba", target),
            "best_candidate": best["candidate_id"],
            "best_subset_size": int(best["subset_size"]),
        })
    return pd.DataFrame(rows)


def plot_trajectories(traj: pd.DataFrame, path: str | Path,
                      m0: dict[tuple[str, str], float] | None = None) -> Path:
    """Best-so-far objective against cumulative retrain seconds, one panel per (class, objective).

    ``m0`` maps (class, objective) to M0's validation value, drawn as a dashed reference line.
    """
    from autogets_ray.reporting.plotting import panel_grid, save_figure

    panels = list(traj.groupby(["target_class", "objective"], sort=False))
    fig, axes = panel_grid(len(panels), 2, width=6.5, height=4.2)
    for ax, ((target, objective), group) in zip(axes.ravel(), panels):
        for strategy, line in group.groupby("strategy", sort=True):
            ax.step(line["cumulative_retrain_seconds"], line["best_so_far"], where="post", label=strategy)
        if m0 and (target, objective) in m0:
            ax.axhline(m0[(target, objective)], color="0.3", ls="--", lw=1, label="M0")
        ax.set_title(f"class {target}: objective {objective.upper()}")
        ax.set_xlabel("cumulative retrain seconds")
        ax.set_ylabel(f"best validation {objective.upper()} so far")
        ax.legend(title="strategy", fontsize=8)
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
