"""Priority-based encoding (Gen et al. 2006; docs/design.md#genetic-algorithm).

A chromosome over the class's n examples is an integer array of priorities in [1, n]: gene i is
(example i, priority ``chromosome[i]``). Decoding keeps the ``round(mean priority)`` genes with the
lowest priorities (paper §3.3.3: "each above threshold element" is included). Rounding is Python's
(half to even); equal priorities are ordered by example index. An arbitrary subset is not always
representable (e.g. one example of four needs mean < 1.5, which forces ties at priority 1), so no
general ``encode`` is offered: chromosomes are drawn at random (Alg. 2 line 1) and then evolved.
"""

from __future__ import annotations

import numpy as np


def random_chromosome(n: int, rng: np.random.Generator) -> np.ndarray:
    """n priorities drawn independently and uniformly from the integers 1..n (Alg. 2 line 1)."""
    if n < 1:
        raise ValueError(f"a chromosome needs at least one gene, got n={n}")
    return rng.integers(1, n + 1, size=n, dtype=np.int64)


def decoded_size(chromosome: np.ndarray) -> int:
    """How many examples a chromosome selects: round(mean priority), clipped to [1, n]."""
    chromosome = np.asarray(chromosome)
    if chromosome.ndim != 1 or len(chromosome) == 0:
        raise ValueError("a chromosome is a non-empty 1-D array of priorities")
    return int(min(max(round(float(chromosome.mean())), 1), len(chromosome)))


def decode(chromosome: np.ndarray) -> np.ndarray:
    """Sorted indices of the ``decoded_size`` genes with the lowest priorities (ties: lower index)."""
    k = decoded_size(chromosome)
    return np.sort(np.argsort(np.asarray(chromosome), kind="stable")[:k])
