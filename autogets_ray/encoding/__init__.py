"""Visual encoding: the 2-D "PCA plots" that the window searches move over."""

from __future__ import annotations

from autogets_ray.encoding.areas import AREAS, Area, class_area
from autogets_ray.encoding.visual import VisualEncoder

__all__ = ["AREAS", "Area", "VisualEncoder", "class_area"]
