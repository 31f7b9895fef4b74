"""Datamodel-guided subset search: learn each example's effect on the objective from the trials.

Beyond the paper. Every finished trial measures one subset of the class's examples. A linear model
of the objective on the subset's inclusion indicators (a datamodel, Ilyas et al. 2022) estimates
how much each example adds or removes. The search:

1. draws ``initial`` random subsets (sizes as for the random baseline);
2. fits a Bayesian ridge model of the objective on the inclusion indicators of every finished
   trial (:func:`fit_effects`: posterior mean and covariance of the per-example effects);
3. proposes ``batch`` subsets, one per Thompson sample of the effects. With ``rule="positive"``
   a subset holds the examples whose sampled effect is positive; with ``rule="top-k"`` it holds
   the k largest, k drawn like the random baseline's sizes. Subsets tried before are skipped;
4. refits once the batch is in, and repeats until the budget is spent.

The rows of the fit are the trials in proposal order, so the estimate does not depend on the
order results arrive in. :meth:`DatamodelCore.example_effects` gives the last fit per example.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.search.core import STRATEGIES, Candidate, SearchCore, SearchProblem
from autogets_ray.search.random_search import draw_size, size_choices

RULES = ("positive", "top-k")
#: Where an experiment keeps a finished datamodel search's estimates (under ``searches/<search_id>/``).
EFFECTS_FILE = "example_effects.parquet"
PREDICTIONS_FILE = "predictions.parquet"


@dataclass(frozen=True)
class EffectFit:
    """Posterior of per-example effects: ``objective ~ intercept + indicators @ effects``."""

    intercept: float
    mean: np.ndarray  # (n,) posterior mean effect of including each example
    cholesky: np.ndarray  # (n, n) lower Cholesky factor L of the posterior precision / noise (A = L L^T)
    noise_var: float  # estimated residual variance
    n_trials: int

    @property
    def sd(self) -> np.ndarray:
        """Posterior standard deviation of each effect."""
        inverse = np.linalg.inv(self.cholesky)
        return np.sqrt(self.noise_var * np.sum(inverse**2, axis=0))

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One Thompson draw of the effects: mean + sqrt(noise) L^-T z (covariance noise * A^-1)."""
        z = rng.standard_normal(len(self.mean))
        return self.mean + math.sqrt(self.noise_var) * np.linalg.solve(self.cholesky.T, z)

    def predict(self, indicators: np.ndarray) -> np.ndarray:
        return self.intercept + np.asarray(indicators, dtype=float) @ self.mean


def fit_effects(indicators: np.ndarray, objectives: np.ndarray, ridge: float = 1.0) -> EffectFit:
    """Bayesian ridge regression of ``objectives`` (m,) on 0/1 ``indicators`` (m, n).

    Centred least squares with precision ``A = X'X + ridge I``; the posterior mean is
    ``A^-1 X'y`` and its covariance ``noise * A^-1``, the noise variance estimated from the
    residuals and the prior term (so it stays positive when there are fewer trials than examples).
    """
    X = np.asarray(indicators, dtype=float)
    y = np.asarray(objectives, dtype=float)
    m, n = X.shape
    x_mean = X.mean(axis=0) if m else np.zeros(n)
    y_mean = float(y.mean()) if m else 0.0
    Xc, yc = X - x_mean, y - y_mean
    precision = Xc.T @ Xc + ridge * np.eye(n)
    cholesky = np.linalg.cholesky(precision)
    mean = np.linalg.solve(precision, Xc.T @ yc)
    residual = yc - Xc @ mean
    noise = (float(residual @ residual) + ridge * float(mean @ mean)) / max(m, 1)
    return EffectFit(y_mean - float(x_mean @ mean), mean, cholesky, max(noise, 1e-12), m)


@STRATEGIES.register(
    "datamodel",
    help="learns each example's effect from finished trials (Bayesian ridge on inclusion indicators) "
    "and proposes subsets by Thompson sampling",
)
class DatamodelCore(SearchCore):
    """Rounds of Thompson-sampled subsets from a datamodel refitted on every finished trial."""

    strategy = "datamodel"
    needs_results = True

    def __init__(
        self,
        problem: SearchProblem,
        seed: int = 0,
        *,
        initial: int = 16,
        batch: int = 4,
        rule: str = "positive",
        ridge: float = 1.0,
        sizes: str | Sequence[int] = "uniform",
    ) -> None:
        super().__init__(problem, seed)
        if math.isinf(problem.budget_seconds) and problem.max_candidates is None:
            raise UserInputError("the datamodel search needs a finite budget_seconds or max_candidates")
        if initial < 2 or batch < 1:
            raise UserInputError(f"initial must be >= 2 and batch >= 1, got {initial} and {batch}")
        if rule not in RULES:
            raise UserInputError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
        if not ridge > 0:
            raise UserInputError(f"ridge must be > 0, got {ridge}")
        self.initial, self.batch, self.rule, self.ridge = int(initial), int(batch), rule, float(ridge)
        self._choices = size_choices(problem, sizes)
        self._proposed: list[Candidate] = []
        self._round = -1
        self._draws = 0
        self.fit: EffectFit | None = None
        #: each model-guided proposal's predicted objective (see :meth:`predictions`)
        self.prediction_log: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ proposals
    def _size(self) -> int:
        return draw_size(self.rng, self.problem.n_examples, self._choices)

    def _candidate(self, members: np.ndarray, rule: str) -> Candidate:
        candidate = Candidate(
            candidate_id=f"datamodel-r{self._round:02d}-{self._draws:04d}",
            example_ids=self.problem.subset(members),
            info={"strategy": self.strategy, "round": self._round, "rule": rule, "size": len(members)},
        )
        self._draws += 1
        self._proposed.append(candidate)
        return candidate

    def _next_batch(self) -> list[Candidate]:
        """One round: refit on every finished trial, then a batch of proposals (random until a fit)."""
        self._round += 1
        self.fit = self._fit_now()
        n = self.problem.n_examples
        if self.fit is None:
            count = self.initial if self._round == 0 else self.batch
            return [
                self._candidate(self.rng.choice(n, size=self._size(), replace=False), "random")
                for _ in range(count)
            ]
        batch = []
        for _ in range(self.batch):
            effects = self.fit.sample(self.rng)
            if self.rule == "positive":
                members = np.flatnonzero(effects > 0)
                if len(members) == 0:
                    members = np.array([int(np.argmax(effects))])
            else:
                members = np.argsort(-effects, kind="stable")[: self._size()]
            candidate = self._candidate(np.sort(members), self.rule)
            self.prediction_log.append(
                {
                    "round": self._round,
                    "candidate_id": candidate.candidate_id,
                    "predicted": float(self.fit.predict(self._indicators([candidate]))[0]),
                }
            )
            batch.append(candidate)
        return batch

    # ------------------------------------------------------------------ the model
    def _indicators(self, candidates: Sequence[Candidate]) -> np.ndarray:
        position = {int(e): i for i, e in enumerate(self.problem.example_ids)}
        X = np.zeros((len(candidates), self.problem.n_examples))
        for row, candidate in enumerate(candidates):
            X[row, [position[int(e)] for e in candidate.example_ids]] = 1.0
        return X

    def _told(self) -> list[tuple[Candidate, float]]:
        """Finished trials with a finite objective, in proposal order."""
        done = []
        for candidate in self._proposed:
            outcome = self.outcome(candidate.key)
            if outcome is not None and outcome.valid and candidate.candidate_id not in self._pending:
                done.append((candidate, outcome.objective))
        return done

    def _fit_now(self) -> EffectFit | None:
        told = self._told()
        if len(told) < 2:
            return None
        return fit_effects(self._indicators([c for c, _ in told]), np.array([o for _, o in told]), self.ridge)

    def predictions(self) -> list[dict[str, Any]]:
        """Each model-guided proposal's predicted objective (from the fit it was drawn from) and the
        objective its trial then reported (NaN while unknown): how well the model predicts."""
        observed = {c.candidate_id: o for c, o in self._told()}
        return [
            {**entry, "observed": observed.get(entry["candidate_id"], math.nan)}
            for entry in self.prediction_log
            if entry["candidate_id"] in self._order  # issued: not those the cap cut from the last batch
        ]

    def example_effects(self) -> Any:
        """Per example of the class: the last fit's effect, its posterior sd and the trials holding it."""
        import pandas as pd

        fit = self._fit_now()
        told = self._told()
        counts = (
            self._indicators([c for c, _ in told]).sum(axis=0) if told else np.zeros(self.problem.n_examples)
        )
        n = self.problem.n_examples
        effect = fit.mean if fit is not None else np.full(n, math.nan)
        sd = fit.sd if fit is not None else np.full(n, math.nan)
        return pd.DataFrame(
            {
                "example_id": self.problem.example_ids.astype(np.int64),
                "effect": effect,
                "effect_sd": sd,
                "trials_with": counts.astype(np.int64),
            }
        )
