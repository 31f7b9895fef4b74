"""Ensemble steps and the pool of searched candidates they are drawn from (Ray-free).

A *step* is one application of AutoGeTS inside an ensemble (paper Alg. 3-5, "Apply AutoGeTS to C"):
the synthetic samples of one searched candidate (a trial of one class x strategy x objective search)
appended to the training set. Here AutoGeTS is not re-run per step: the step is drawn from the
searches an experiment (``autogets search`` / ``autogets matrix``) already ran, ranked by the
metrics those trials recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError

TRIAL_KEYS = ("search_id", "strategy", "target_class", "objective", "candidate_id")


@dataclass(frozen=True, order=True)
class Step:
    """One candidate's synthetic samples (labelled ``applied_class``) appended to training."""

    applied_class: str
    strategy: str
    objective: str
    search_id: str
    candidate_id: str


@dataclass(frozen=True)
class SearchRef:
    """One class x strategy x objective search of the experiment."""

    search_id: str
    target_class: str
    strategy: str
    objective: str

    @property
    def label(self) -> str:
        return f"{self.strategy}-{self.objective}"


class CandidatePool:
    """The trials of an experiment, as candidate steps (``trials.parquet`` rows)."""

    def __init__(self, trials: pd.DataFrame) -> None:
        missing = [c for c in TRIAL_KEYS if c not in trials.columns]
        if missing:
            raise UserInputError(
                f"the trials table lacks column(s) {', '.join(missing)}; is it an "
                f"`autogets search` / `autogets matrix` trials.parquet?"
            )
        if trials.empty:
            raise UserInputError("the trials table is empty: the experiment finished no trial")
        frame = trials.copy()
        for key in TRIAL_KEYS:
            frame[key] = frame[key].astype(str)
        if "completed_order" not in frame:
            frame["completed_order"] = np.arange(len(frame))
        # A candidate evaluated twice (GA re-proposals) is one step: keep its first result.
        frame = frame.drop_duplicates(["search_id", "candidate_id"], keep="first")
        self.trials = frame.reset_index(drop=True)
        refs = self.trials.drop_duplicates("search_id")
        self._searches = {
            r.search_id: SearchRef(r.search_id, r.target_class, r.strategy, r.objective)
            for r in refs.itertuples(index=False)
        }

    def classes(self) -> list[str]:
        """Classes that have at least one search, sorted."""
        return sorted({s.target_class for s in self._searches.values()})

    def searches(self, target_class: str | None = None) -> list[SearchRef]:
        """Searches (of one class), sorted by class, strategy, objective."""
        found = [s for s in self._searches.values() if target_class is None or s.target_class == target_class]
        return sorted(found, key=lambda s: (s.target_class, s.strategy, s.objective))

    def search(self, target_class: str, strategy: str, objective: str) -> SearchRef | None:
        for ref in self.searches(target_class):
            if ref.strategy == strategy and ref.objective == objective:
                return ref
        return None

    def get(self, search_id: str) -> SearchRef:
        try:
            return self._searches[search_id]
        except KeyError:
            raise ValueError(f"unknown search {search_id!r}") from None

    def top(self, search_id: str, column: str, k: int) -> list[Step]:
        """The ``k`` trials of a search with the highest recorded ``column`` (ties: completion order)."""
        ref = self.get(search_id)
        group = self.trials[self.trials["search_id"] == search_id]
        if column not in group:
            raise UserInputError(f"the trials table has no column {column!r}")
        ranked = group.assign(_v=group[column].astype(float)).sort_values(
            ["_v", "completed_order"], ascending=[False, True], kind="stable"
        )
        return [
            Step(ref.target_class, ref.strategy, ref.objective, search_id, str(c))
            for c in ranked["candidate_id"].head(k)
        ]

    def row(self, step: Step) -> pd.Series:
        match = self.trials[
            (self.trials["search_id"] == step.search_id) & (self.trials["candidate_id"] == step.candidate_id)
        ]
        if match.empty:
            raise ValueError(f"no trial {step.candidate_id!r} in search {step.search_id!r}")
        return match.iloc[0]

    def example_ids(self, step: Step) -> list[int]:
        """The real examples whose synthetic samples the step appends."""
        raw = self.row(step)["example_ids"]
        values = json.loads(raw) if isinstance(raw, str) else raw
        return [int(v) for v in values]

    def best_candidate(self, search_id: str) -> str:
        """The search's winner: its highest ``val_objective`` trial (what best_samples.parquet holds).

        Ties go to the candidate proposed first, the rule the runner used to write best_samples.parquet
        (:func:`autogets_ray.experiment.results.best_trial`), never to completion order."""
        from autogets_ray.experiment.results import best_trial

        group = self.trials[self.trials["search_id"] == search_id]
        if "val_objective" not in group:
            raise UserInputError("the trials table has no column 'val_objective'")
        return str(best_trial(group)["candidate_id"])
