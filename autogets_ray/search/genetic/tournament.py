"""Clustered tournament selection (Xie & Zhang 2012; docs/design.md#genetic-algorithm).

Individuals with identical fitness form one cluster (invalid results share the worst cluster). A
tournament draws ``size`` clusters uniformly with replacement; the best of them wins and a uniformly
random member of the winning cluster is returned. Sampling clusters rather than individuals keeps
the selection pressure from depending on how many copies of one fitness the population holds.
"""

from __future__ import annotations

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.search.genetic.fitness import worst_if_invalid


def fitness_clusters(fitness) -> list[np.ndarray]:
    """Indices grouped by identical fitness, best cluster first (members in index order)."""
    values = worst_if_invalid(fitness)
    return [np.flatnonzero(values == v) for v in np.unique(values)[::-1]]


class ClusteredTournamentSelection:
    """Tournament among fitness clusters; returns one individual's index."""

    def __init__(self, size: int = 2) -> None:
        if size < 1:
            raise UserInputError(f"tournament size must be >= 1, got {size}")
        self.size = int(size)

    def __call__(self, fitness, rng: np.random.Generator) -> int:
        clusters = fitness_clusters(fitness)
        if not clusters:
            raise ValueError("cannot select from an empty population")
        winner = clusters[int(rng.integers(0, len(clusters), size=self.size).min())]
        return int(rng.choice(winner))
