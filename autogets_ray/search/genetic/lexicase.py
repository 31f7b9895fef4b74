"""Lexicase selection (Spector 2012) over per-class validation recall (paper §3.3.3).

The notebooks' case order and the share of the mating pool: docs/design.md#genetic-algorithm.

Cases are the recall of every class. Each selection draws a fresh case order: classes are ranked
by how close their training size is to the target's (|log size difference|, target first, ties by
name) and cut into four near-equal groups; the next case's group is drawn with probabilities
0.4/0.3/0.2/0.1 (renormalised over the groups not yet used up) and a class uniformly from it.
Candidates are then filtered case by case, keeping only those exactly best on the case, until one
remains or the cases run out; a uniformly random survivor is returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.search.genetic.fitness import worst_if_invalid

GROUP_WEIGHTS = (0.4, 0.3, 0.2, 0.1)


def size_groups(class_sizes: Mapping[str, int], target: str, n_groups: int = 4) -> list[list[str]]:
    """Classes ordered by size closeness to ``target`` (target first), cut into ``n_groups``."""
    if target not in class_sizes:
        raise ValueError(f"target class {target!r} is not among the classes: {', '.join(class_sizes)}")
    anchor = math.log(max(class_sizes[target], 1))

    def closeness(name: str) -> tuple[bool, float, str]:
        return name != target, abs(math.log(max(class_sizes[name], 1)) - anchor), name

    ranked = sorted(class_sizes, key=closeness)
    return [list(g) for g in np.array_split(np.array(ranked, dtype=object), n_groups) if len(g)]


def case_order(
    groups: Sequence[Sequence[str]], weights: Sequence[float], rng: np.random.Generator
) -> list[str]:
    """Every class once: a group drawn by ``weights`` among the non-empty ones (uniformly if
    those weights are all 0), then a class drawn uniformly from it."""
    if len(weights) < len(groups):
        raise ValueError(f"need a weight per group: {len(groups)} groups, {len(weights)} weights")
    remaining = [list(g) for g in groups]
    order: list[str] = []
    while any(remaining):
        live = [i for i, g in enumerate(remaining) if g]
        p = np.array([weights[i] for i in live], dtype=float)
        p = p / p.sum() if p.sum() > 0 else np.full(len(live), 1.0 / len(live))
        group = remaining[live[int(rng.choice(len(live), p=p))]]
        order.append(group.pop(int(rng.integers(len(group)))))
    return order


def lexicase_select(values: np.ndarray, order: Sequence[int], rng: np.random.Generator) -> int:
    """Filter the rows of ``values`` (individuals x cases) by exact best on each case in ``order``."""
    values = worst_if_invalid(values)
    if values.ndim != 2 or len(values) == 0:
        raise ValueError("values must be a non-empty (individuals, cases) array")
    survivors = np.arange(len(values))
    for case in order:
        column = values[survivors, case]
        survivors = survivors[column == column.max()]
        if len(survivors) == 1:
            return int(survivors[0])
    return int(rng.choice(survivors))


class LexicaseSelection:
    """Lexicase over class recalls; :attr:`classes` gives the column order of ``values``."""

    def __init__(
        self, class_sizes: Mapping[str, int], target: str, weights: Sequence[float] = GROUP_WEIGHTS
    ) -> None:
        weights = tuple(float(w) for w in weights)
        if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise UserInputError(f"group weights must be non-negative with a positive sum, got {weights}")
        self.groups = size_groups(class_sizes, target, n_groups=len(weights))
        self.weights = weights
        self.classes = sorted(class_sizes)

    def __call__(self, values: np.ndarray, rng: np.random.Generator) -> int:
        """Index of the selected individual; ``values[:, j]`` is recall of ``classes[j]``."""
        column = {c: j for j, c in enumerate(self.classes)}
        return lexicase_select(values, [column[c] for c in case_order(self.groups, self.weights, rng)], rng)
