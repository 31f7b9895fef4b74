"""Multi-objective search (``mode: pareto``): a GA with NSGA-II selection over two or three objectives.

The paper maximises one metric per search and its Fig. 5 plots what single-objective searches
happened to find; its conclusion names multi-objective optimisation as the missing piece. Here one
search per class keeps a population whose survivors and parents are chosen by Pareto dominance on
the validation values of every objective (Deb et al. 2002): parents + children are sorted into
non-dominated fronts and cut by crowding distance (:func:`nsga2_survivors`), and the mating pool
is drawn by crowded tournament. Encoding, weight-mapping crossover and adaptive polynomial mutation
are the single-objective GA's (:mod:`autogets_ray.search.ga`); lexicase and the clustered
tournament are not used. The search's result is its non-dominated front; the experiment picks a
point on it by the rule in :mod:`autogets_ray.experiment.pareto`.

``PARETO_STRATEGIES`` is the registry of strategies that can run in this mode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.metrics import objective_column
from autogets_ray.registry import Registry
from autogets_ray.search.core import STRATEGIES, SearchCore, SearchProblem, strategy_parameters
from autogets_ray.search.ga import GeneticCore, Individual
from autogets_ray.search.genetic import crowded_tournament, front_ranks, non_dominated_fronts, nsga2_survivors

#: Strategies that accept ``objectives`` and search for a front (``mode: pareto``).
PARETO_STRATEGIES: Registry[SearchCore] = Registry("multi-objective (mode: pareto) strategy")

#: A front is searched over this many objectives at least and at most.
MIN_OBJECTIVES, MAX_OBJECTIVES = 2, 3


def objective_keys(objectives: Sequence[str], target_class: str) -> list[str]:
    """The flat metric keys (``cr[<class>]``, ``oba``) of the objectives for one target class."""
    return [objective_column(name, target_class) for name in objectives]


def check_objectives(objectives: Sequence[str]) -> list[str]:
    names = [str(n) for n in objectives]
    if not MIN_OBJECTIVES <= len(names) <= MAX_OBJECTIVES or len(set(names)) != len(names):
        raise UserInputError(
            f"a Pareto search needs {MIN_OBJECTIVES} or {MAX_OBJECTIVES} distinct objectives, got {names}",
            key="objectives",
            reason=f"needs {MIN_OBJECTIVES} or {MAX_OBJECTIVES} distinct objectives with mode: pareto, "
            "e.g. [cr, oba]",
        )
    return names


@PARETO_STRATEGIES.register(
    "ga", help="GA with NSGA-II survival and crowded-tournament parents over 2-3 objectives"
)
class ParetoGeneticCore(GeneticCore):
    """NSGA-II over priority-encoded subsets; ``objectives`` are maximised on validation.

    The core's scalar objective (what :attr:`best` and the progress lines show) is the first
    objective; selection never uses it alone. ``params`` are the GA's (one ``strategy_params.ga``
    serves both modes); ``lexicase_share`` and ``group_weights`` are accepted and unused.
    """

    strategy = "ga"

    def __init__(
        self, problem: SearchProblem, seed: int = 0, *, objectives: Sequence[str], **params: Any
    ) -> None:
        super().__init__(problem, seed, **params)
        self.objectives = check_objectives(objectives)
        self.keys = objective_keys(self.objectives, problem.target_class)

    def point(self, key: tuple[int, ...]) -> np.ndarray:
        """The subset's validation values of every objective; -inf where it errored or lacks one."""
        outcome = self.outcome(key)
        if outcome is None:
            return np.full(len(self.keys), -math.inf)
        values = np.array([outcome.metric(k) for k in self.keys], dtype=float)
        return np.where(np.isfinite(values), values, -math.inf)

    def _points(self, individuals: Sequence[Individual]) -> np.ndarray:
        return np.array([self.point(i.key) for i in individuals]).reshape(len(individuals), len(self.keys))

    def _mating_pool(self, parents: list[Individual]) -> list[int]:
        rank, distance = front_ranks(self._points(parents))
        return [
            crowded_tournament(rank, distance, self.rng, self.tournament.size) for _ in range(self.selection)
        ]

    def _survivors(self, pool: list[Individual]) -> list[int]:
        """NSGA-II survival over the distinct subsets of parents + children (duplicates fill last)."""
        distinct: dict[tuple[int, ...], int] = {}
        for index, individual in enumerate(pool):
            distinct.setdefault(individual.key, index)
        unique = list(distinct.values())
        kept = [unique[i] for i in nsga2_survivors(self._points([pool[i] for i in unique]), self.population)]
        chosen = set(kept)
        spare = [i for i in range(len(pool)) if i not in chosen]
        return kept + spare[: self.population - len(kept)]

    def _generation_stats(self) -> dict[str, Any]:
        points = self._points(self._parents)
        valid = np.isfinite(points).all(axis=1)
        front = non_dominated_fronts(points[valid])[0] if valid.any() else []
        return {**super()._generation_stats(), "front_size": len(front)}


def create_pareto_core(
    strategy: str, problem: SearchProblem, seed: int, objectives: Sequence[str], **params: Any
) -> SearchCore:
    """A ``PARETO_STRATEGIES`` core; ``params`` are checked against the strategy's own parameters."""
    factory = PARETO_STRATEGIES.get(strategy)
    accepted = strategy_parameters(strategy) if strategy in STRATEGIES else []
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise UserInputError(
            f"unknown parameter(s) {', '.join(unknown)} for strategy {strategy!r}; "
            f"it accepts: {', '.join(accepted)}"
        )
    return factory(problem, seed, objectives=objectives, **params)
