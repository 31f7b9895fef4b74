"""NSGA-II's selection for a multi-objective GA (Deb et al. 2002): fronts and crowding distance.

Every objective is maximised. :func:`non_dominated_fronts` sorts individuals into Pareto fronts
(front 0 is non-dominated); :func:`crowding_distance` measures how isolated each point of a front
is (the extremes get infinity); :func:`nsga2_survivors` keeps ``size`` individuals: whole fronts
in order, the last one cut by decreasing crowding distance; :func:`crowded_tournament` picks
parents by NSGA-II's crowded comparison (lower front, then larger crowding distance). Ties are
broken by index, so the result depends on the points (and the rng) only. Non-finite objective values (failed trials) count as the
worst possible.
"""

from __future__ import annotations

import numpy as np


def _as_points(points: np.ndarray) -> np.ndarray:
    values = np.asarray(points, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"points must be (individuals, objectives), got shape {values.shape}")
    return np.where(np.isfinite(values), values, -np.inf)


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` is at least as good as ``b`` in every objective and better in one."""
    return bool(np.all(a >= b) and np.any(a > b))


def non_dominated_fronts(points: np.ndarray) -> list[list[int]]:
    """Indices of ``points`` (n, m) by Pareto front, each front in index order (fast sort, O(m n^2))."""
    values = _as_points(points)
    n = len(values)
    better = values[:, None, :] >= values[None, :, :]
    strictly = values[:, None, :] > values[None, :, :]
    dominance = better.all(axis=2) & strictly.any(axis=2)  # [i, j]: i dominates j
    dominated_by = dominance.sum(axis=0)
    fronts: list[list[int]] = []
    current = [i for i in range(n) if dominated_by[i] == 0]
    while current:
        fronts.append(current)
        following = []
        for i in current:
            for j in np.flatnonzero(dominance[i]):
                dominated_by[j] -= 1
                if dominated_by[j] == 0:
                    following.append(int(j))
        current = sorted(following)
    return fronts


def crowding_distance(points: np.ndarray) -> np.ndarray:
    """Per point of one front: the sum over objectives of the normalised gap between its
    neighbours; the two extremes of every objective get infinity."""
    values = _as_points(points)
    n, m = values.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(values[:, k], kind="stable")
        column = values[order, k]
        distance[order[0]] = distance[order[-1]] = np.inf
        finite = column[np.isfinite(column)]
        if len(finite) < 2 or finite[-1] <= finite[0]:
            continue
        # normalised by the finite spread; a neighbour at -inf (a failed trial) makes the gap infinite
        with np.errstate(invalid="ignore"):
            gaps = (column[2:] - column[:-2]) / (finite[-1] - finite[0])
        distance[order[1:-1]] += np.nan_to_num(gaps, nan=0.0, posinf=np.inf)
    return distance


def nsga2_survivors(points: np.ndarray, size: int) -> list[int]:
    """The ``size`` indices NSGA-II keeps: fronts in order, the last one by crowding distance."""
    kept: list[int] = []
    for front in non_dominated_fronts(points):
        if len(kept) + len(front) <= size:
            kept += front
            continue
        distance = crowding_distance(np.asarray(points, dtype=float)[front])
        ranked = sorted(range(len(front)), key=lambda i: (-distance[i], front[i]))
        kept += [front[i] for i in ranked[: size - len(kept)]]
        break
    return kept


def front_ranks(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per point: its front number (0 = non-dominated) and its crowding distance within that front."""
    values = np.asarray(points, dtype=float)
    rank = np.zeros(len(values), dtype=np.int64)
    distance = np.zeros(len(values))
    for number, front in enumerate(non_dominated_fronts(values)):
        rank[front] = number
        distance[front] = crowding_distance(values[front])
    return rank, distance


def crowded_tournament(
    rank: np.ndarray, distance: np.ndarray, rng: np.random.Generator, size: int = 2
) -> int:
    """NSGA-II's binary (``size``-ary) tournament: of ``size`` uniformly drawn individuals the one
    on the lowest front wins, then the one with the larger crowding distance, then the lower index."""
    if len(rank) == 0:
        raise ValueError("cannot select from an empty population")
    drawn = rng.integers(0, len(rank), size=size)
    return int(min(drawn, key=lambda i: (rank[i], -distance[i], i)))
