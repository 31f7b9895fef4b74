"""Weight-mapping crossover (WMX; Gen, Altiparmak & Lin 2006; docs/design.md#genetic-algorithm).

Cut both parents at one random point; each child keeps its own parent's head and its own parent's
tail *values*, rearranged into the rank order of the other parent's tail: child1's tail[j] is the
r-th smallest of parent1's tail values where r is the rank of parent2's tail[j]. The multiset of
priorities of each child equals its parent's, so a permutation stays a permutation.
"""

from __future__ import annotations

import numpy as np


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each value in ``values`` (0 = smallest; ties by position)."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable")


class WeightMappingCrossover:
    """WMX for priority-based chromosomes; ``__call__`` draws the cut point in [1, n-1]."""

    def __call__(
        self, parent1: np.ndarray, parent2: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        parent1, parent2 = np.asarray(parent1), np.asarray(parent2)
        if parent1.shape != parent2.shape or parent1.ndim != 1:
            raise ValueError(f"parents must be 1-D and equally long, got {parent1.shape} and {parent2.shape}")
        if len(parent1) < 2:
            return parent1.copy(), parent2.copy()
        return self.at_cut(parent1, parent2, int(rng.integers(1, len(parent1))))

    @staticmethod
    def at_cut(parent1: np.ndarray, parent2: np.ndarray, cut: int) -> tuple[np.ndarray, np.ndarray]:
        """The two children for a given cut (heads ``[:cut]``, tails ``[cut:]``)."""
        parent1, parent2 = np.asarray(parent1), np.asarray(parent2)
        if not 0 < cut < len(parent1):
            raise ValueError(f"cut must be in [1, {len(parent1) - 1}], got {cut}")
        tail1, tail2 = parent1[cut:], parent2[cut:]
        child1 = np.concatenate([parent1[:cut], np.sort(tail1)[_ranks(tail2)]])
        child2 = np.concatenate([parent2[:cut], np.sort(tail2)[_ranks(tail1)]])
        return child1, child2
