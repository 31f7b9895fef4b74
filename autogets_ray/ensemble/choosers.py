"""Which search (strategy-objective) an ensemble step uses for a class.

- :class:`KnowledgeChooser`: the knowledge base's Table 3 (the ensemble algorithm, paper Alg. 3-5);
- :class:`SingleChooser`: always one strategy-objective (Fig. 7's "iterating single strategies");
- :class:`RandomChooser`: a seeded uniform choice among the class's searches (Fig. 7's random
  combinations).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from autogets_ray.ensemble.candidates import CandidatePool, SearchRef
from autogets_ray.ensemble.knowledge import KnowledgeBase


class Chooser(Protocol):
    name: str

    def __call__(self, target_class: str, metric: str) -> SearchRef | None: ...


class KnowledgeChooser:
    """The search the lookup table names for (class, metric)."""

    name = "ensemble"

    def __init__(self, kb: KnowledgeBase, pool: CandidatePool) -> None:
        self.kb, self.pool = kb, pool

    def __call__(self, target_class: str, metric: str) -> SearchRef | None:
        row = self.kb.best(target_class, metric)
        return None if row is None else self.pool.get(str(row["search_id"]))


class SingleChooser:
    """The class's ``strategy``-``objective`` search, whatever the metric."""

    def __init__(self, pool: CandidatePool, strategy: str, objective: str) -> None:
        self.pool, self.strategy, self.objective = pool, strategy, objective
        self.name = f"single:{strategy}-{objective}"

    def __call__(self, target_class: str, metric: str) -> SearchRef | None:
        return self.pool.search(target_class, self.strategy, self.objective)


class RandomChooser:
    """A uniformly random search of the class (own ``numpy`` generator, seeded)."""

    def __init__(self, pool: CandidatePool, seed: int) -> None:
        self.pool, self.seed = pool, seed
        self.rng = np.random.default_rng(seed)
        self.name = f"random:{seed}"

    def __call__(self, target_class: str, metric: str) -> SearchRef | None:
        searches = self.pool.searches(target_class)
        return searches[int(self.rng.integers(len(searches)))] if searches else None


def single_choosers(pool: CandidatePool) -> list[SingleChooser]:
    """One chooser per strategy-objective combination the experiment ran."""
    combos = sorted({(s.strategy, s.objective) for s in pool.searches()})
    return [SingleChooser(pool, s, o) for s, o in combos]
