"""Does the search pay? A search's recommendation: its best candidate, a no-search baseline, or M0.

The best of many candidates on a noisy validation objective beats M0 by chance alone. A search's
best candidate is recommended only when its validation objective beats M0's *and* the best
no-search baseline's by more than ``margin_se`` standard errors of the difference; otherwise the
best baseline is recommended when it beats M0 by that margin, and M0 is kept when nothing does.

The standard error of a difference ``a - b``:
- scored on folds (``kfold``/``repeated``): the paired error std_k(a_k - b_k) / sqrt(K) over the
  folds both were scored on. Both models are scored on the same rows of a fold, so the common
  fold-to-fold variation cancels;
- on the holdout split: the analytic error of ``a``'s objective (binomial for recall/CBA, Hanley &
  McNeil for AUC), unpaired and so conservative.

Ties go to the simpler choice (M0, then baselines in their listed order) because a gain must be
strictly larger than the margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KEEP_M0 = "keep-m0"
#: The reason's start when a search offers no candidate.
NO_CANDIDATE = "the search finished no candidate"


@dataclass(frozen=True)
class Scored:
    """One choice's validation objective: its value, per-fold values and standard error."""

    name: str
    value: float
    folds: tuple[float, ...] = ()
    se: float = math.nan


def difference_se(a: Scored, b: Scored) -> float:
    """Standard error of ``a.value - b.value`` (module docstring); 0 when none is known."""
    if len(a.folds) > 1 and len(a.folds) == len(b.folds):
        diffs = np.asarray(a.folds, dtype=float) - np.asarray(b.folds, dtype=float)
        return float(np.std(diffs, ddof=1) / math.sqrt(len(diffs)))
    return float(a.se) if math.isfinite(a.se) else 0.0


def beats(a: Scored, b: Scored, margin_se: float) -> bool:
    """True when ``a`` is better than ``b`` by more than ``margin_se`` standard errors."""
    if not (math.isfinite(a.value) and math.isfinite(b.value)):
        return False
    return a.value - b.value > margin_se * difference_se(a, b)


@dataclass(frozen=True)
class Recommendation:
    choice: str  # "keep-m0", "use-<baseline>" or the best candidate's id
    kind: str  # "m0", "baseline" or "search"
    reason: str
    best_baseline: str = ""

    @property
    def baseline(self) -> str:
        """The baseline a ``use-`` choice names ("" otherwise)."""
        return self.choice.removeprefix("use-") if self.kind == "baseline" else ""


def best_of(choices: Sequence[Scored]) -> Scored | None:
    """The highest finite value; ties go to the earliest in ``choices``."""
    best = None
    for choice in choices:
        if math.isfinite(choice.value) and (best is None or choice.value > best.value):
            best = choice
    return best


def _gain(a: Scored, b: Scored) -> str:
    return f"{a.value - b.value:+.4f} (standard error {difference_se(a, b):.4f})"


def recommend(
    best: Scored | None,
    m0: Scored,
    baselines: Sequence[Scored] = (),
    margin_se: float = 1.0,
    no_candidate: str = NO_CANDIDATE,
) -> Recommendation:
    """The decision of the module docstring; ``best`` is the search's best candidate (None if none,
    said by ``no_candidate``)."""
    if margin_se < 0:
        raise ValueError(f"evaluation.margin_se must be >= 0, got {margin_se}")
    baseline = best_of([b for b in baselines if b.name != "m0"])
    baseline_name = baseline.name if baseline else ""
    if best is not None and beats(best, m0, margin_se):
        if baseline is None or beats(best, baseline, margin_se):
            versus = f" and {baseline.name} by {_gain(best, baseline)}" if baseline else ""
            return Recommendation(
                best.name, "search", f"beats M0 by {_gain(best, m0)}{versus}", baseline_name
            )
        search_note = (
            f"the search's best does not beat {baseline.name} beyond noise ({_gain(best, baseline)})"
        )
    elif best is None:
        search_note = no_candidate
    else:
        search_note = f"the search's best does not beat M0 beyond noise ({_gain(best, m0)})"
    if baseline is not None and beats(baseline, m0, margin_se):
        return Recommendation(
            f"use-{baseline.name}",
            "baseline",
            f"{search_note}; {baseline.name} beats M0 by {_gain(baseline, m0)}",
            baseline_name,
        )
    no_baseline = f"; no baseline beats M0 (best {baseline.name}: {_gain(baseline, m0)})" if baseline else ""
    return Recommendation(KEEP_M0, "m0", search_note + no_baseline, baseline_name)
