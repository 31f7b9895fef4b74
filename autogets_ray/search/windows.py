"""Window geometry for SW and HSW (paper §3.3.1-3.3.2, App. B.2): areas, segments, windows.

An area (a rectangle on the plot of one pair of PCA components) is cut into ``segments`` equal
segments per axis; a window spans ``window`` x ``window`` segments and slides ``stride`` segments
at a time (the notebooks slide by one segment). Windows are listed x-major: index =
``column_position * positions_per_axis + row_position``. Edges are inclusive, so a point on a
shared edge belongs to both neighbouring windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from autogets_ray.encoding.areas import AREAS, Area
from autogets_ray.errors import UserInputError
from autogets_ray.search.core import Candidate, SearchProblem

#: Spellings of the paper (App. B.2) accepted for the registry's area names.
AREA_ALIASES = {"topicminmax": "topic-minmax", "fullsize": "full-size"}


@dataclass(frozen=True)
class Window:
    """One window: its position in the list, its first segment on each axis, its rectangle."""

    index: int
    column: int
    row: int
    rect: Area


def window_starts(segments: int, window: int, stride: int) -> list[int]:
    """First segments of the window positions on one axis; the last position touches the edge."""
    if segments < 1:
        raise UserInputError(f"segments must be >= 1, got {segments}")
    if not 1 <= window <= segments:
        raise UserInputError(f"window must be between 1 and segments={segments}, got {window}")
    if stride < 1:
        raise UserInputError(f"stride must be >= 1 segment, got {stride}")
    starts = list(range(0, segments - window + 1, stride))
    if starts[-1] != segments - window:
        starts.append(segments - window)
    return starts


def sliding_windows(area: Area, segments: int, window: int, stride: int = 1) -> list[Window]:
    """Every ``window`` x ``window``-segment window of ``area`` cut into ``segments`` per axis."""
    starts = window_starts(segments, window, stride)
    xs = np.linspace(area.x0, area.x1, segments + 1)
    ys = np.linspace(area.y0, area.y1, segments + 1)
    out = []
    for column in starts:
        for row in starts:
            rect = Area(
                float(xs[column]), float(xs[column + window]), float(ys[row]), float(ys[row + window])
            )
            out.append(Window(len(out), column, row, rect))
    return out


def resolve_area_kind(kind: str) -> str:
    """A registry area name, also accepting the paper's 'TopicMinMax' / 'FullSize'."""
    name = AREA_ALIASES.get(str(kind).replace("-", "").replace("_", "").lower(), str(kind))
    if name not in AREAS:
        raise UserInputError(f"unknown area {kind!r}; choose one of: {', '.join(AREAS.names())}")
    return name


def resolve_pairs(
    pairs: Sequence[Sequence[int]] | None, n_components: int | None, k: int
) -> list[tuple[int, int]]:
    """Explicit ``pairs`` of component indices, or every pair of the leading ``n_components``."""
    if pairs is None:
        n = k if n_components is None else int(n_components)
        if not 2 <= n <= k:
            raise UserInputError(f"n_components must be between 2 and the {k} PCA components, got {n}")
        return list(combinations(range(n), 2))
    out = []
    for pair in pairs:
        a, b = (int(v) for v in pair)
        if a == b or not (0 <= a < k and 0 <= b < k):
            raise UserInputError(f"pair {tuple(pair)} must name two different components in [0, {k})")
        out.append((a, b))
    if not out:
        raise UserInputError("pairs must name at least one pair of PCA components")
    return out


def pair_area(problem: SearchProblem, pair: tuple[int, int], kind: str) -> Area:
    """The class area on plot ``pair``: ``kind`` from :data:`AREAS` over the class's / all points."""
    cols = list(pair)
    points = np.vstack([problem.coords[:, cols], problem.all_coords[:, cols]])
    is_target = np.zeros(len(points), dtype=bool)
    is_target[: problem.n_examples] = True
    return AREAS.create(resolve_area_kind(kind), points, is_target)


def window_members(windows: Sequence[Window], points: np.ndarray) -> list[np.ndarray]:
    """For each window, the indices of the (n, 2) ``points`` inside it (sorted)."""
    return [np.flatnonzero(w.rect.contains(points)) for w in windows]


def pair_label(pair: tuple[int, int]) -> str:
    """``p0.1`` for the plot of components 0 and 1 (used in candidate ids)."""
    return f"p{pair[0]}.{pair[1]}"


def window_candidates(
    problem: SearchProblem,
    prefix: str,
    pair: tuple[int, int],
    area: Area,
    segments: int,
    window: int,
    stride: int,
    info: dict | None = None,
) -> list[Candidate]:
    """Candidates ``<prefix>-w<index>`` for the non-empty windows of ``area`` on plot ``pair``."""
    points = problem.coords[:, list(pair)]
    windows = sliding_windows(area, segments, window, stride)
    out = []
    for w, members in zip(windows, window_members(windows, points)):
        if len(members) == 0:
            continue
        out.append(
            Candidate(
                candidate_id=f"{prefix}-w{w.index}",
                example_ids=problem.subset(members),
                info={
                    **(info or {}),
                    "pair": list(pair),
                    "window": w.index,
                    "segment": [w.column, w.row],
                    "rect": [w.rect.x0, w.rect.x1, w.rect.y0, w.rect.y1],
                    "segments": segments,
                    "window_segments": window,
                    "size": len(members),
                },
            )
        )
    return out
