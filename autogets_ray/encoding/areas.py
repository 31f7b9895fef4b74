"""Class areas on a PCA plot: the rectangle the sliding windows cover (paper App. B.2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autogets_ray.registry import Registry

#: The notebooks widen the min/max box by 1 % so boundary points fall inside windows.
MARGIN = 1.01


@dataclass(frozen=True)
class Area:
    """An axis-aligned rectangle ``[x0, x1] x [y0, y1]`` on one PCA plot."""

    x0: float
    x1: float
    y0: float
    y1: float

    def contains(self, points: np.ndarray) -> np.ndarray:
        """Boolean mask of the (n, 2) ``points`` inside (edges included)."""
        x, y = points[:, 0], points[:, 1]
        return (x >= self.x0) & (x <= self.x1) & (y >= self.y0) & (y <= self.y1)

    @classmethod
    def bounding(cls, points: np.ndarray, margin: float = MARGIN) -> "Area":
        """The min/max box of ``points`` scaled by ``margin`` about its centre."""
        if len(points) == 0:
            raise ValueError("cannot bound an empty set of points")
        lo, hi = points.min(axis=0), points.max(axis=0)
        centre, half = (lo + hi) / 2, (hi - lo) / 2 * margin
        half = np.where(half > 0, half, 1e-9)  # a degenerate axis still gets a non-empty box
        return cls(
            float(centre[0] - half[0]),
            float(centre[0] + half[0]),
            float(centre[1] - half[1]),
            float(centre[1] + half[1]),
        )


AreaRule = Callable[[np.ndarray, np.ndarray], Area]
AREAS: Registry[Area] = Registry("class area")


@AREAS.register("topic-minmax", help="min/max of the target class's points, x1.01 (the paper's default)")
def topic_minmax(points: np.ndarray, is_target: np.ndarray) -> Area:
    return Area.bounding(points[is_target])


@AREAS.register("full-size", help="min/max of all points, x1.01")
def full_size(points: np.ndarray, is_target: np.ndarray) -> Area:
    return Area.bounding(points)


def class_area(points: np.ndarray, labels: np.ndarray, target, kind: str = "topic-minmax") -> Area:
    """Area of ``kind`` for class ``target`` on the (n, 2) ``points`` of one PCA plot."""
    is_target = np.asarray(labels) == target
    if not is_target.any():
        raise ValueError(f"class {target!r} has no points on this plot")
    return AREAS.create(kind, np.asarray(points, dtype=float), is_target)
