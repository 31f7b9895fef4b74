"""Hierarchical Sliding Window (paper §3.3.2, Eq. 5; App. B.2.2; App. C.1, Algorithm 1).

For each plot (pair of PCA components, leading pairs first; Alg. 1 line 1) the class area is cut
into ``levels[l]`` segments per axis with windows of ``windows[l]`` segments (default: half the
level's segments) slid one segment at a time: 5x5 windows at level 0 (8 segments), 3x3 at level 1
(4 segments), 2x2 at level 2 (2 segments). All windows of a level are one batch (Alg. 1 lines
8-14); the best one's rectangle becomes the next level's area (line 15-17). A plot stops after its
last level, on a plateau (the level's best is not better than the previous level's best; line
19), or when no window of the level produced a valid result. Windows holding a subset already
evaluated in this search reuse its score instead of retraining.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.encoding.areas import Area
from autogets_ray.search.core import STRATEGIES, Candidate, SearchCore, SearchProblem
from autogets_ray.search.windows import (
    pair_area,
    pair_label,
    resolve_area_kind,
    resolve_pairs,
    window_candidates,
    window_starts,
)


def _levels(
    levels: Sequence[int], windows: Sequence[int] | None, stride: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validated segments per level and window sizes (default: half the level's segments)."""
    levels = tuple(int(s) for s in levels)
    if not levels:
        raise UserInputError("levels must list at least one number of segments")
    windows = tuple(max(1, s // 2) for s in levels) if windows is None else tuple(int(w) for w in windows)
    if len(windows) != len(levels):
        raise UserInputError(f"windows ({len(windows)} values) must match levels ({len(levels)} values)")
    for segments, window in zip(levels, windows):
        window_starts(segments, window, stride)
    return levels, windows


@STRATEGIES.register(
    "hsw", help="Hierarchical Sliding Window: 8/4/2 segments, subdivide the best window (paper §3.3.2)"
)
class HierarchicalWindowCore(SearchCore):
    """HSW: score every window of a level, zoom into the best, per plot, until plateau or last level."""

    strategy = "hsw"
    needs_results = True

    def __init__(
        self,
        problem: SearchProblem,
        seed: int = 0,
        *,
        area: str = "topic-minmax",
        levels: Sequence[int] = (8, 4, 2),
        windows: Sequence[int] | None = None,
        stride: int = 1,
        pairs: Sequence[Sequence[int]] | None = None,
        n_components: int | None = None,
    ) -> None:
        super().__init__(problem, seed)
        self.area = resolve_area_kind(area)
        self.stride = int(stride)
        self.levels, self.windows = _levels(levels, windows, self.stride)
        self.pairs = resolve_pairs(pairs, n_components, problem.coords.shape[1])
        #: One entry per finished level: plot, level, area, best window and why the plot stopped.
        self.level_log: list[dict[str, Any]] = []
        self._pair_index = 0
        self._level = 0
        self._level_area: Area | None = None
        self._previous_best = -math.inf
        self._level_batch: list[Candidate] | None = None

    def _next_batch(self) -> list[Candidate] | None:
        while True:
            if self._level_batch is not None:
                self._conclude_level(self._level_batch)
                self._level_batch = None
            if self._pair_index >= len(self.pairs):
                return None
            batch = self._open_level()
            if batch:
                self._level_batch = batch
                return batch
            self._next_pair()  # nothing of the class inside this area: go to the next plot

    def _open_level(self) -> list[Candidate]:
        pair = self.pairs[self._pair_index]
        if self._level_area is None:
            self._level_area = pair_area(self.problem, pair, self.area)
        level = self._level
        return window_candidates(
            self.problem,
            f"hsw-{pair_label(pair)}-l{level}",
            pair,
            self._level_area,
            self.levels[level],
            self.windows[level],
            self.stride,
            info={"strategy": self.strategy, "level": level},
        )

    def _conclude_level(self, batch: list[Candidate]) -> None:
        """Alg. 1 lines 15-21: keep the best window; zoom into it or stop this plot."""
        scores = np.array([self.score(c.key) for c in batch])
        best_index = int(np.argmax(scores))  # the first window wins ties
        best, winner = float(scores[best_index]), batch[best_index]
        if best == -math.inf:
            stop = "no valid result"
        elif self._level > 0 and best <= self._previous_best:
            stop = "plateau"
        elif self._level + 1 >= len(self.levels):
            stop = "last level"
        else:
            stop = None
        area = self._level_area
        self.level_log.append(
            {
                "pair": list(self.pairs[self._pair_index]),
                "level": self._level,
                "area": [area.x0, area.x1, area.y0, area.y1],
                "windows": len(batch),
                "best_window": winner.candidate_id,
                "best_rect": list(winner.info["rect"]),
                "best_objective": best,
                "stop": stop,
            }
        )
        if stop is not None:
            self._next_pair()
        else:
            self._previous_best = best
            self._level_area = Area(*winner.info["rect"])
            self._level += 1

    def _next_pair(self) -> None:
        self._pair_index += 1
        self._level = 0
        self._level_area = None
        self._previous_best = -math.inf
