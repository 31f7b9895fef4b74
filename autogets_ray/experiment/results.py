"""Result tables of a search experiment, computed from the per-trial rows (Ray-free).

- trials: one row per finished trial (all val_/test_ metrics, times, LLM counters)
- trajectory: best-so-far objective against cumulative retrain seconds, per search (Figs. 27-30)
- summary: one row per search, like the paper's Table 2 (M0 and the best deltas), with its
  recommendation
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.experiment.decision import NO_CANDIDATE, Scored, recommend
from autogets_ray.experiment.evaluation import ScoredCandidate
from autogets_ray.metric_names import delta_column, metric_column
from autogets_ray.metrics import objective_column

SEARCH_KEYS = ["search_id", "strategy", "target_class", "objective"]


def trajectory(trials: pd.DataFrame) -> pd.DataFrame:
    """Per search, in its proposal order (the same for a resumed run): cumulative retrain seconds and
    best-so-far objective."""
    frames = []
    for keys, group in trials.groupby(SEARCH_KEYS, sort=False):
        group = in_proposal_order(group).reset_index(drop=True)
        frames.append(
            pd.DataFrame(
                {
                    **dict(zip(SEARCH_KEYS, keys)),
                    "trial_index": np.arange(len(group)),
                    "candidate_id": group["candidate_id"],
                    "cumulative_retrain_seconds": group["retrain_seconds"].cumsum(),
                    "val_objective": group["val_objective"],
                    "best_so_far": group["val_objective"].cummax(),
                }
            )
        )
    columns = SEARCH_KEYS + [
        "trial_index",
        "candidate_id",
        "cumulative_retrain_seconds",
        "val_objective",
        "best_so_far",
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def in_proposal_order(group: pd.DataFrame) -> pd.DataFrame:
    """A search's trials in the order its core proposed them (completion order for older results)."""
    if "proposal_index" in group and (group["proposal_index"] >= 0).all():
        return group.sort_values("proposal_index", kind="stable")
    return group.sort_values("completed_order", kind="stable")


def best_trial(group: pd.DataFrame) -> pd.Series:
    """The highest validation objective; ties go to the candidate proposed first (never to timing)."""
    ordered = in_proposal_order(group)
    return ordered.loc[ordered["val_objective"].idxmax()]


def _scored(name: str, value: float, folds: str | list | None, se: float | None) -> Scored:
    values = json.loads(folds) if isinstance(folds, str) else list(folds or ())
    return Scored(
        name, float(value), tuple(float(v) for v in values), float(se) if se is not None else math.nan
    )


def _baseline_choices(
    baselines: pd.DataFrame | None, target: str, objective: str
) -> list[tuple[Scored, pd.Series]]:
    if baselines is None or baselines.empty:
        return []
    rows = baselines[(baselines["target_class"] == target) & (baselines["objective"] == objective)]
    return [
        (
            _scored(
                str(r["baseline"]),
                r["val_objective"],
                r.get("val_objective_folds"),
                r.get("val_objective_se"),
            ),
            r,
        )
        for _, r in rows.iterrows()
    ]


def summary(
    trials: pd.DataFrame,
    m0: ScoredCandidate,
    baselines: pd.DataFrame | None = None,
    margin_se: float = 1.0,
    choose: Callable[[pd.DataFrame], pd.Series | None] = best_trial,
) -> pd.DataFrame:
    """One row per search: M0, the search's pick (``choose``: by default the best validation trial;
    a Pareto search's recommended point on its front), its change on val and test, and the
    recommendation against M0 and the no-search baselines (:mod:`autogets_ray.experiment.decision`).
    A search whose ``choose`` gives None offers no candidate: its best columns are NaN."""
    rows = []
    m0_val, m0_test = m0.val, m0.test
    for (search_id, strategy, target, objective), group in trials.groupby(SEARCH_KEYS, sort=False):
        best = choose(group)
        if best is None:
            best = pd.Series(math.nan, index=group.columns).astype(object)
            best[["candidate_id", "subset_size"]] = ["", 0]
        m0_val_value = m0_val.objective(objective, target)
        m0_test_value = m0_test.objective(objective, target)
        cba_val, cba_test = objective_column("cba", target, "val"), objective_column("cba", target, "test")
        oba_val, oba_test = metric_column("oba", split="val"), metric_column("oba", split="test")
        choices = _baseline_choices(baselines, target, objective)
        decision = recommend(
            _scored(
                str(best["candidate_id"]),
                best["val_objective"],
                best.get("val_objective_folds"),
                best.get("val_objective_se"),
            )
            if best["candidate_id"]
            else None,
            Scored(
                "m0",
                m0_val_value,
                tuple(m0_val.objective_folds(objective, target).tolist()),
                m0_val.standard_error(objective, target),
            ),
            [choice for choice, _ in choices],
            margin_se,
            getattr(choose, "no_candidate", NO_CANDIDATE),
        )
        picked = {
            "search": best,
            "baseline": next((r for c, r in choices if c.name == decision.baseline), None),
        }
        chosen = picked.get(decision.kind)  # None: keep M0, a change of 0
        rows.append(
            {
                "search_id": search_id,
                "strategy": strategy,
                "target_class": target,
                "objective": objective,
                "trials": len(group),
                "m0_val": m0_val_value,
                "best_val": float(best["val_objective"]),
                "best_val_delta": float(best["val_objective"]) - m0_val_value,
                "m0_test": m0_test_value,
                "best_test": float(best["test_objective"]),
                "best_test_delta": float(best["test_objective"]) - m0_test_value,
                "m0_cba": m0_val.objective("cba", target),
                delta_column("oba", "val"): float(best[oba_val]) - m0_val.oba,
                delta_column("cba", "val"): float(best[cba_val]) - m0_val.objective("cba", target),
                delta_column("oba", "test"): float(best[oba_test]) - m0_test.oba,
                delta_column("cba", "test"): float(best[cba_test]) - m0_test.objective("cba", target),
                "best_candidate": best["candidate_id"],
                "best_subset_size": int(best["subset_size"]),
                "best_baseline": decision.best_baseline,
                "recommendation": decision.choice,
                "recommendation_kind": decision.kind,
                f"recommended_{delta_column('cba', 'test')}": (
                    float(chosen[cba_test]) - m0_test.objective("cba", target) if chosen is not None else 0.0
                ),
                f"recommended_{delta_column('oba', 'test')}": (
                    float(chosen[oba_test]) - m0_test.oba if chosen is not None else 0.0
                ),
                "recommended_val_delta": float(chosen["val_objective"]) - m0_val_value
                if chosen is not None
                else 0.0,
                "recommended_test_delta": float(chosen["test_objective"]) - m0_test_value
                if chosen is not None
                else 0.0,
                "recommendation_reason": decision.reason,
            }
        )
    return pd.DataFrame(rows)


def plot_trajectories(
    traj: pd.DataFrame, path: str | Path, m0: dict[tuple[str, str], float] | None = None
) -> Path:
    """Best-so-far objective against cumulative retrain seconds, one panel per (class, objective).

    ``m0`` maps (class, objective) to M0's validation value, drawn as a dashed reference line.
    """
    from autogets_ray.reporting.plotting import (
        panel_grid,
        save_figure,
        strategy_color,
        strategy_gid,
        strategy_rank,
    )

    panels = list(traj.groupby(["target_class", "objective"], sort=False))
    fig, axes = panel_grid(len(panels), 2, width=6.5, height=4.2)
    for ax, ((target, objective), group) in zip(axes.ravel(), panels):
        for strategy in sorted(set(group["strategy"]), key=strategy_rank):
            line = group[group["strategy"] == strategy]
            ax.step(
                line["cumulative_retrain_seconds"],
                line["best_so_far"],
                where="post",
                label=strategy,
                color=strategy_color(strategy),
                gid=strategy_gid(strategy),
            )
        if m0 and (target, objective) in m0:
            ax.axhline(m0[(target, objective)], color="0.3", ls="--", lw=1, label="M0")
        ax.set_title(f"class {target}: objective {objective.upper()}")
        ax.set_xlabel("cumulative retrain seconds")
        ax.set_ylabel(f"best validation {objective.upper()} so far")
        ax.legend(title="strategy", fontsize=8)
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
