"""Random baseline: random subsets of the target class, drawn until the budget is spent.

The baseline every strategy must beat. Subset sizes come from ``sizes``:
``"uniform"`` (default) draws k uniformly from 1..n; ``"sw"`` draws k from the sizes of the
distinct non-empty windows the default Sliding Window search would try (random subsets "of the
same sizes" as SW); a list of integers draws k uniformly from that list. The k examples are then
drawn uniformly without replacement. A subset drawn before is skipped (no retrain).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.search.core import STRATEGIES, Candidate, SearchCore, SearchProblem
from autogets_ray.search.sw import SlidingWindowCore


def size_choices(problem: SearchProblem, sizes: str | Sequence[int]) -> np.ndarray | None:
    """The subset sizes to draw from (None: uniform over 1..n) for a ``sizes`` option."""
    n = problem.n_examples
    if isinstance(sizes, str):
        if sizes == "uniform":
            return None
        if sizes == "sw":
            windows = {c.key: len(c.example_ids) for c in SlidingWindowCore(problem).candidates()}
            return np.array(sorted(windows.values()), dtype=np.int64)
        raise UserInputError(f"sizes must be 'uniform', 'sw' or a list of subset sizes, got {sizes!r}")
    choices = np.asarray(list(sizes), dtype=np.int64)
    if len(choices) == 0 or choices.min() < 1 or choices.max() > n:
        raise UserInputError(
            f"subset sizes must be between 1 and the class's {n} examples, got {list(sizes)}"
        )
    return choices


def draw_size(rng: np.random.Generator, n: int, choices: np.ndarray | None) -> int:
    """A subset size: uniform over 1..n, or uniform over ``choices`` (from :func:`size_choices`)."""
    return int(rng.integers(1, n + 1)) if choices is None else int(rng.choice(choices))


@STRATEGIES.register("random", help="random subsets until the budget is spent: the baseline to beat")
class RandomSubsetCore(SearchCore):
    """Uniformly random subsets with a configurable size distribution."""

    strategy = "random"
    needs_results = False

    def __init__(
        self, problem: SearchProblem, seed: int = 0, *, sizes: str | Sequence[int] = "uniform"
    ) -> None:
        super().__init__(problem, seed)
        if math.isinf(problem.budget_seconds) and problem.max_candidates is None:
            raise UserInputError("the random baseline needs a finite budget_seconds or max_candidates")
        self.sizes = sizes if isinstance(sizes, str) else [int(k) for k in sizes]
        self._choices = size_choices(problem, sizes)
        self._drawn = 0

    def _next_batch(self) -> list[Candidate]:
        n, rng = self.problem.n_examples, self.rng
        k = draw_size(rng, n, self._choices)
        members = rng.choice(n, size=k, replace=False)
        candidate = Candidate(
            candidate_id=f"random-{self._drawn:04d}",
            example_ids=self.problem.subset(members),
            info={"strategy": self.strategy, "draw": self._drawn, "size": k},
        )
        self._drawn += 1
        return [candidate]
