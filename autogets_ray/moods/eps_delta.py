"""The ε/δ non-overlapping diversification metric (paper Sec. 4, Defs. 4-6) from model outputs z.

Inputs are the outputs z_w* of a model on its own training rows: the model trained on the original
training set D^Tr and the one trained on the resampled set S (same architecture).

- overlap κ_m(S)  = |{minority s : z(s) <= 1/2}| / |S_m|                      (Sec. 4.2)
- Δκ_m            = (κ_m(D^Tr) - κ_m(S)) x 100                                 (Def. 4)
- ΔO(s_m^2)       = log10(s^2(z on S_m) / s^2(z on D_m^Tr)), same for majority (Sec. 4.2)
- ΔO(s^2)         = (ΔO(s_m^2) + ΔO(s_M^2)) / 2                                (Def. 5)
- S is ε/δ        iff Δκ_m >= ε and ΔO(s^2) >= δ                              (Def. 6)

The paper writes ΔO with a floor but reports fractional values (2.52, 1.59 ...), so the log is not
floored here. Variances are sample variances (ddof=1) and floored at 1e-12 to keep the log finite.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

VARIANCE_FLOOR = 1e-12


def overlap(z: np.ndarray, y: np.ndarray) -> float:
    """κ_m: the fraction of minority outputs on the majority side, z <= 1/2."""
    z_min = np.asarray(z)[np.asarray(y) == 1]
    if z_min.size == 0:
        raise ValueError("overlap needs at least one minority output")
    return float(np.mean(z_min <= 0.5))


def _variance(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    return max(float(np.var(values, ddof=1)) if values.size > 1 else 0.0, VARIANCE_FLOOR)


@dataclass(frozen=True)
class EpsDelta:
    """Defs. 4-6 for one pair (original D^Tr, resampled S); overlaps in percent."""

    ratio_minority: float
    kappa_m_original: float
    kappa_m_resampled: float
    delta_kappa_m: float
    var_m_original: float
    var_m_resampled: float
    var_M_original: float
    var_M_resampled: float
    delta_O_m: float
    delta_O_M: float
    delta_O: float

    def attains(self, epsilon: float, delta: float) -> bool:
        """Def. 6: S is ε/δ non-overlapping diversified."""
        return self.delta_kappa_m >= epsilon and self.delta_O >= delta

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def eps_delta(
    z_original: np.ndarray, y_original: np.ndarray, z_resampled: np.ndarray, y_resampled: np.ndarray
) -> EpsDelta:
    """Compute Defs. 4-5 from the two models' outputs on their own training rows."""
    z_o, y_o = np.asarray(z_original, float), np.asarray(y_original)
    z_s, y_s = np.asarray(z_resampled, float), np.asarray(y_resampled)
    if z_o.shape != y_o.shape or z_s.shape != y_s.shape:
        raise ValueError("each z must have one output per label")
    k_o, k_s = 100 * overlap(z_o, y_o), 100 * overlap(z_s, y_s)
    v = {
        name: _variance(z[y == label])
        for name, z, y, label in (
            ("m_o", z_o, y_o, 1),
            ("m_s", z_s, y_s, 1),
            ("M_o", z_o, y_o, 0),
            ("M_s", z_s, y_s, 0),
        )
    }
    d_m = math.log10(v["m_s"] / v["m_o"])
    d_M = math.log10(v["M_s"] / v["M_o"])
    return EpsDelta(
        ratio_minority=float(np.mean(y_s == 1)),
        kappa_m_original=k_o,
        kappa_m_resampled=k_s,
        delta_kappa_m=k_o - k_s,
        var_m_original=v["m_o"],
        var_m_resampled=v["m_s"],
        var_M_original=v["M_o"],
        var_M_resampled=v["M_s"],
        delta_O_m=d_m,
        delta_O_M=d_M,
        delta_O=(d_m + d_M) / 2,
    )
