"""Genetic operators of the AutoGeTS GA (paper §3.3.3, App. C.1 Alg. 2; docs/design.md#genetic-algorithm).

One operator per module, each taking an explicit ``rng: np.random.Generator``.
"""

from __future__ import annotations

from autogets_ray.search.genetic.crossover import WeightMappingCrossover
from autogets_ray.search.genetic.elitism import elitist_survivors
from autogets_ray.search.genetic.encoding import decode, decoded_size, random_chromosome
from autogets_ray.search.genetic.lexicase import LexicaseSelection, case_order, lexicase_select, size_groups
from autogets_ray.search.genetic.mutation import AdaptivePolynomialMutation, polynomial_delta
from autogets_ray.search.genetic.pareto import (
    crowded_tournament,
    crowding_distance,
    front_ranks,
    non_dominated_fronts,
    nsga2_survivors,
)
from autogets_ray.search.genetic.tournament import ClusteredTournamentSelection, fitness_clusters

__all__ = [
    "AdaptivePolynomialMutation",
    "ClusteredTournamentSelection",
    "LexicaseSelection",
    "WeightMappingCrossover",
    "case_order",
    "crowded_tournament",
    "crowding_distance",
    "decode",
    "decoded_size",
    "elitist_survivors",
    "fitness_clusters",
    "front_ranks",
    "lexicase_select",
    "non_dominated_fronts",
    "nsga2_survivors",
    "polynomial_delta",
    "random_chromosome",
    "size_groups",
]
