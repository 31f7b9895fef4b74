"""Sliding Window (paper §3.3.1, Eq. 4; App. B.2.1): every window of the class area is a candidate.

Defaults are the paper's: area TopicMinMax, 16 segments per axis, 4x4-segment windows, slid one
segment at a time (13 x 13 = 169 windows per plot) over the plot of components (0, 1). Empty
windows and windows holding the same examples as an earlier one are skipped. No window depends on
another's result, so all of them are queued at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from autogets_ray.search.core import STRATEGIES, Candidate, SearchCore, SearchProblem
from autogets_ray.search.windows import (
    pair_area,
    pair_label,
    resolve_area_kind,
    resolve_pairs,
    window_candidates,
    window_starts,
)


@STRATEGIES.register("sw", help="Sliding Window: every 4x4-segment window of a 16x16 grid (paper §3.3.1)")
class SlidingWindowCore(SearchCore):
    """Sliding Window: every non-empty window of the class area on each plot, in grid order."""

    strategy = "sw"
    needs_results = False

    def __init__(
        self,
        problem: SearchProblem,
        seed: int = 0,
        *,
        area: str = "topic-minmax",
        segments: int = 16,
        window: int = 4,
        stride: int = 1,
        pairs: Sequence[Sequence[int]] | None = ((0, 1),),
    ) -> None:
        super().__init__(problem, seed)
        window_starts(segments, window, stride)  # validates the geometry now, not at the first ask
        self.area = resolve_area_kind(area)
        self.pairs = resolve_pairs(pairs, None, problem.coords.shape[1])
        self.segments, self.window, self.stride = int(segments), int(window), int(stride)
        self._queued = False

    def candidates(self) -> list[Candidate]:
        """Every candidate of the search, in the order they are asked (before de-duplication)."""
        out = []
        for pair in self.pairs:
            area = pair_area(self.problem, pair, self.area)
            out += window_candidates(
                self.problem,
                f"sw-{pair_label(pair)}",
                pair,
                area,
                self.segments,
                self.window,
                self.stride,
                info={"strategy": self.strategy},
            )
        return out

    def _next_batch(self) -> list[Candidate] | None:
        if self._queued:
            return None
        self._queued = True
        return self.candidates()
