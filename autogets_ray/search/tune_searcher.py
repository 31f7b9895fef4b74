"""A thin Ray Tune ``Searcher`` over any :class:`SearchCore` (DESIGN.md §2, §7).

``suggest`` asks the core and hands Tune the candidate as the trial config
(``candidate_id``, ``example_ids``, ``info``), ``None`` while the core waits for a batch's results
and ``Searcher.FINISHED`` when its budget or space is spent; ``on_trial_complete`` tells the core
the outcome (errors and missing results tell ``None``). Use with ``num_samples=-1``: the core
decides when to stop. State is the core plus the trial-id map, pickled by ``save``/``restore``.
"""
from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

from ray.tune.search import Searcher

from autogets_ray.search.core import FINISHED, SearchCore, SearchProblem, create_core
from autogets_ray.search.interleave import InterleavedSearch
from autogets_ray.search.results import outcome_from_result


class CoreSearcher(Searcher):
    """Ray Tune searcher that delegates every decision to a Ray-free search core.

    ``core`` is a :class:`SearchCore`, an :class:`InterleavedSearch` (several searches on one Tuner)
    or a factory called as ``core(**core_kwargs)``. ``metric``
    is the reported objective (maximised); ``prefix`` marks the validation metrics that are passed
    on to the core (``val_cr[Access]`` -> ``cr[Access]``).
    """

    def __init__(
        self,
        core: SearchCore | InterleavedSearch | Callable[..., SearchCore | InterleavedSearch],
        metric: str = "objective",
        mode: str = "max",
        *,
        core_kwargs: dict[str, Any] | None = None,
        prefix: str = "val_",
    ) -> None:
        _check_mode(mode)
        if not _is_core(core):
            core = core(**(core_kwargs or {}))
        if not _is_core(core):
            raise ValueError(f"core must be a SearchCore (or an InterleavedSearch) or build one, "
                             f"got {type(core).__name__}")
        super().__init__(metric=metric, mode=mode)
        self.core = core
        self.prefix = prefix
        self._trials: dict[str, str] = {}

    @classmethod
    def for_strategy(
        cls, strategy: str, problem: SearchProblem, seed: int = 0, *, metric: str = "objective",
        mode: str = "max", prefix: str = "val_", **params: Any,
    ) -> CoreSearcher:
        """A searcher over ``STRATEGIES[strategy](problem, seed, **params)``."""
        return cls(create_core(strategy, problem, seed, **params), metric, mode, prefix=prefix)

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        """Accept Tune's metric/mode (our own metric wins when both are set); cores only maximise."""
        if mode is not None:
            _check_mode(mode)
        if self._metric is None and metric is not None:
            self._metric = metric
        return True

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        item = self.core.ask()
        if item is FINISHED:
            return Searcher.FINISHED
        if item is None:
            return None
        self._trials[trial_id] = item.candidate_id
        return item.to_config()

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        candidate_id = self._trials.pop(trial_id, None)
        if candidate_id is None:
            return  # not one of ours (e.g. a trial restored without its suggestion)
        if error or not result:
            self.core.tell(candidate_id, None)
        else:
            self.core.tell(candidate_id, outcome_from_result(result, self._metric, self.prefix))

    # ------------------------------------------------------------ state
    def get_state(self) -> dict[str, Any]:
        return {"core": self.core, "trials": dict(self._trials), "metric": self._metric,
                "mode": self._mode, "prefix": self.prefix}

    def set_state(self, state: dict[str, Any]) -> None:
        self.core = state["core"]
        self._trials = dict(state["trials"])
        self._metric, self._mode, self.prefix = state["metric"], state["mode"], state["prefix"]

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "wb") as handle:
            pickle.dump(self.get_state(), handle)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as handle:
            self.set_state(pickle.load(handle))

    @property
    def best_objective(self) -> float:
        best = self.core.best
        return best[1].objective if best is not None else math.nan


def _is_core(core: Any) -> bool:
    return isinstance(core, (SearchCore, InterleavedSearch))


def _check_mode(mode: str) -> None:
    if mode != "max":
        raise ValueError(f"search cores maximise their objective: mode must be 'max', got {mode!r} "
                         "(report the negated value of a metric to minimise)")
