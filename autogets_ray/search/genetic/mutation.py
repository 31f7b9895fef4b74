"""Adaptive polynomial mutation (Si, Jana & Sil 2011; Deb's polynomial mutation).

Parameters and equations as the AutoGeTS notebooks use them: docs/design.md#genetic-algorithm.

Rate at generation g of G: ``rate_g = r0 * (1 - g / G)`` (g = Alg. 2's counter of the parent
generation, so the first offspring use r0). Each gene mutates independently with ``rate_g``:
u ~ U(0, 1); delta = (2u)^(1/(eta+1)) - 1 if u < 0.5 else 1 - (2(1-u))^(1/(eta+1));
p' = clip(round(p + delta * (n - 1)), 1, n)   (round half to even).
"""

from __future__ import annotations

import numpy as np

from autogets_ray.errors import UserInputError


def polynomial_delta(u: np.ndarray | float, eta: float) -> np.ndarray:
    """Deb's polynomial perturbation in [-1, 1] for uniform draws ``u`` (docs/design.md#genetic-algorithm)."""
    u = np.asarray(u, dtype=float)
    power = 1.0 / (eta + 1.0)
    low = np.power(2.0 * u, power) - 1.0
    high = 1.0 - np.power(2.0 * (1.0 - u), power)
    return np.where(u < 0.5, low, high)


class AdaptivePolynomialMutation:
    """Per-gene polynomial mutation whose rate falls linearly from ``initial_rate`` to 0."""

    def __init__(self, initial_rate: float = 0.3, eta: float = 20.0, generations: int = 15) -> None:
        if not 0.0 <= initial_rate <= 1.0:
            raise UserInputError(f"initial mutation rate must be in [0, 1], got {initial_rate}")
        if eta < 0:
            raise UserInputError(f"eta must be >= 0, got {eta}")
        if generations < 1:
            raise UserInputError(f"generations must be >= 1, got {generations}")
        self.initial_rate, self.eta, self.generations = float(initial_rate), float(eta), int(generations)

    def rate(self, generation: int) -> float:
        """rate_g = r0 * (1 - g / G), never below 0."""
        return max(0.0, self.initial_rate * (1.0 - generation / self.generations))

    def __call__(self, chromosome: np.ndarray, generation: int, rng: np.random.Generator) -> np.ndarray:
        chromosome = np.asarray(chromosome, dtype=np.int64)
        n = len(chromosome)
        mutate = rng.random(n) < self.rate(generation)
        u = rng.random(int(mutate.sum()))
        out = chromosome.copy()
        moved = chromosome[mutate] + polynomial_delta(u, self.eta) * (n - 1)
        out[mutate] = np.clip(np.rint(moved), 1, n).astype(np.int64)
        return out
