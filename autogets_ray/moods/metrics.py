"""Binary F1 scores of the MOODS paper (Def. 3) and the upper-level acceptance rule (Alg. 1 l. 16)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BinaryF1:
    """``f1`` = (F1_m + F1_M) / 2 (Def. 3); label 1 is the minority."""

    f1: float
    f1_minority: float
    f1_majority: float

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        return {
            f"{prefix}f1": self.f1,
            f"{prefix}f1_minority": self.f1_minority,
            f"{prefix}f1_majority": self.f1_majority,
        }


def binary_f1(y_true: np.ndarray, y_pred: np.ndarray) -> BinaryF1:
    """Def. 3: F1_m = 2Tp / (2Tp + Fp + Fn), F1_M = 2Tn / (2Tn + Fn + Fp), F1 their mean.

    A class with no true and no predicted member scores 1 (nothing to get wrong); this cannot
    happen on the stratified splits MOODS uses.
    """
    y_true = np.asarray(y_true).astype(bool)
    y_pred = np.asarray(y_pred).astype(bool)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}")
    tp = float(np.sum(y_true & y_pred))
    tn = float(np.sum(~y_true & ~y_pred))
    fp = float(np.sum(~y_true & y_pred))
    fn = float(np.sum(y_true & ~y_pred))
    f1_m = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 1.0
    f1_maj = 2 * tn / (2 * tn + fn + fp) if (2 * tn + fn + fp) else 1.0
    return BinaryF1(f1=(f1_m + f1_maj) / 2, f1_minority=f1_m, f1_majority=f1_maj)


def improves_both(new: BinaryF1, old: BinaryF1) -> bool:
    """Alg. 1 line 16: accept only if 1 - F1 and 1 - F1_m both strictly decrease."""
    return (1 - new.f1) < (1 - old.f1) and (1 - new.f1_minority) < (1 - old.f1_minority)


@dataclass(frozen=True)
class RowLosses:
    """A model's per-row validation losses (Def. 1's BCE), minority and majority rows apart."""

    minority: np.ndarray
    majority: np.ndarray

    @classmethod
    def of(cls, losses: np.ndarray, y: np.ndarray) -> RowLosses:
        y = np.asarray(y).astype(bool)
        return cls(np.asarray(losses, dtype=np.float64)[y], np.asarray(losses, dtype=np.float64)[~y])

    def balanced(self) -> float:
        """The class-balanced mean: the average of the two classes' mean losses."""
        return float((np.mean(self.minority) + np.mean(self.majority)) / 2)


def balanced_loss_change(new: RowLosses, old: RowLosses) -> tuple[float, float]:
    """The paired change of the class-balanced validation loss from ``old`` to ``new`` and its
    standard error: per class, the mean and the standard error of the row-wise differences
    (the same rows under both models), combined with weight 1/2 each. A class with fewer than two
    rows gives an infinite standard error (no evidence about its noise)."""
    change, variance = 0.0, 0.0
    for new_rows, old_rows in ((new.minority, old.minority), (new.majority, old.majority)):
        if new_rows.shape != old_rows.shape:
            raise ValueError(f"row losses of {new_rows.shape} and {old_rows.shape} validation rows")
        if len(new_rows) < 2:
            return float(np.mean(new_rows - old_rows)) if len(new_rows) else 0.0, float("inf")
        diff = new_rows - old_rows
        change += float(np.mean(diff)) / 2
        variance += float(np.var(diff, ddof=1)) / len(diff) / 4
    return change, float(np.sqrt(variance))
