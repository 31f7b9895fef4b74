"""Turn a trial's reported result dict into a :class:`TrialOutcome` (Ray-free, reused by the adapter).

A result holds the objective under ``metric``, ``retrain_seconds``, and validation metrics named
by their split, e.g. ``val_oba`` or ``val_cr[Access]``, which become ``oba`` and ``cr[Access]``. Missing or
non-numeric objectives become NaN (the worst result); missing or invalid seconds become 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

from autogets_ray.metric_names import strip_split
from autogets_ray.search.core import TrialOutcome

RETRAIN_SECONDS = "retrain_seconds"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, Real) else math.nan


def outcome_from_result(result: Mapping[str, Any], metric: str, split: str = "val") -> TrialOutcome:
    """The outcome a core learns from one finished trial's last result (its ``split`` metrics)."""
    seconds = _number(result.get(RETRAIN_SECONDS))
    metrics = {}
    for key, value in result.items():
        flat = strip_split(key, split) if isinstance(key, str) else None
        if flat is not None and isinstance(value, Real):
            metrics[flat] = _number(value)
    return TrialOutcome(
        objective=_number(result.get(metric)),
        retrain_seconds=seconds if math.isfinite(seconds) and seconds >= 0 else 0.0,
        metrics=metrics,
    )
