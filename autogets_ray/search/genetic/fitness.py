"""Fitness values as the operators rank them: NaN, inf and missing results are the worst."""

from __future__ import annotations

import numpy as np


def worst_if_invalid(values) -> np.ndarray:
    """A float copy of ``values`` with every non-finite entry replaced by ``-inf``."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, -np.inf)
