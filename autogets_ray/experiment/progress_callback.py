"""One readable line per finished trial, instead of Tune's table (which shows 2**63 trials for
``num_samples=-1``)."""
from __future__ import annotations

import math
from typing import Any

from ray.tune import Callback

from autogets_ray.progress import Progress


class TrialProgress(Callback):
    def __init__(self, search_id: str, m0_value: float, budget_seconds: float, progress: Progress) -> None:
        self.search_id = search_id
        self.m0_value = m0_value
        self.budget_seconds = budget_seconds
        self.progress = progress
        self.finished = 0
        self.spent = 0.0
        self.best = -math.inf

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        result = trial.last_result or {}
        if "objective" not in result:
            return
        self.finished += 1
        self.spent += float(result.get("retrain_seconds", 0.0))
        self.best = max(self.best, float(result["objective"]))
        self.progress.info(
            f"{self.search_id} #{self.finished}: {result.get('candidate_id', '')} "
            f"({result.get('subset_size', 0)} examples, {result.get('n_synthetic', 0)} synthetic) "
            f"val {result['objective']:.4f} | best {self.best:.4f} vs M0 {self.m0_value:.4f} | "
            f"retrain {self.spent:.1f}/{self.budget_seconds:.0f} s"
        )

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self.progress.info(f"{self.search_id}: trial {trial.trial_id} failed: {trial.error_file or 'see logs'}")
