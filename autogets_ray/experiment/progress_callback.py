"""One readable line per finished trial, per search, instead of Tune's table (which shows 2**63
trials for ``num_samples=-1`` and mixes the searches of an interleaved experiment)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ray.tune import Callback

from autogets_ray.progress import Progress


@dataclass
class SearchTally:
    m0_value: float
    budget_seconds: float
    finished: int = 0
    spent: float = 0.0
    best: float = -math.inf


class TrialProgress(Callback):
    """``m0_values``: search id -> M0's value of that search's objective on validation."""

    def __init__(self, m0_values: dict[str, float], budget_seconds: float, progress: Progress) -> None:
        self.tallies = {sid: SearchTally(value, budget_seconds) for sid, value in m0_values.items()}
        self.progress = progress
        self.completed = 0

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        result = trial.last_result or {}
        tally = self.tallies.get(str(result.get("search_id")))
        if "objective" not in result or tally is None:
            return
        self.completed += 1
        tally.finished += 1
        tally.spent += float(result.get("retrain_seconds", 0.0))
        tally.best = max(tally.best, float(result["objective"]))
        candidate = str(result.get("candidate_id", "")).rpartition(":")[2]
        self.progress.info(
            f"{result['search_id']} #{tally.finished}: {candidate} "
            f"({result.get('subset_size', 0)} examples, {result.get('n_synthetic', 0)} synthetic) "
            f"val {result['objective']:.4f} | best {tally.best:.4f} vs M0 {tally.m0_value:.4f} | "
            f"retrain {tally.spent:.1f}/{tally.budget_seconds:.0f} s"
            + (f" | {self.completed} trials in all" if len(self.tallies) > 1 else "")
        )

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        search_id = (trial.config or {}).get("search_id", "trial")
        self.progress.info(f"{search_id}: trial {trial.trial_id} failed: {trial.error_file or 'see logs'}")
