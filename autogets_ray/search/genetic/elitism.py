"""Elitist survival (App. C.1 Alg. 2 lines 8-9; docs/design.md#genetic-algorithm).

From parents + offspring, keep the best-accuracy individual and the best target-recall individual,
then the rest by fitness (descending, earlier first on ties). Individuals whose subset is already
kept are passed over while distinct subsets remain, so the population does not collapse into
copies of one subset.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.search.genetic.fitness import worst_if_invalid


def elitist_survivors(fitness, accuracy, target_recall, keys: Sequence[Hashable], size: int) -> list[int]:
    """Indices of the ``size`` survivors, elites first."""
    fitness, accuracy, recall = (worst_if_invalid(v) for v in (fitness, accuracy, target_recall))
    if not len(fitness) == len(accuracy) == len(recall) == len(keys):
        raise ValueError("fitness, accuracy, target_recall and keys must have one entry per individual")
    if size < 1:
        raise UserInputError(f"size must be >= 1, got {size}")
    ranking = [int(i) for i in np.argsort(-fitness, kind="stable")]
    elites = [int(np.argmax(v)) for v in (accuracy, recall) if np.isfinite(v).any()]
    chosen: list[int] = []
    kept: set[Hashable] = set()
    for i in elites + ranking:
        if i not in chosen and keys[i] not in kept and len(chosen) < size:
            chosen.append(i)
            kept.add(keys[i])
    for i in ranking:  # not enough distinct subsets: fill with the best duplicates
        if i not in chosen and len(chosen) < size:
            chosen.append(i)
    return chosen
