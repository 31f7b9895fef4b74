"""How a candidate is scored: on the validation split, or on folds of train+val (noise-robust).

The paper scores every candidate on one validation split. A small class has 6-20 validation
positives, so its recall and CBA move in steps of 1/n_pos (0.03-0.08): candidates tie, and the
best-validation candidate's test gain is no better than the average candidate's. The schemes:

- ``holdout`` (the paper): fit on the training split plus the samples, score the validation split.
  One fit per candidate.
- ``kfold``: K stratified folds of train+val (the test split is never touched). Fold k fits on the
  other folds plus the samples and scores fold k; the candidate's objective is the mean over folds,
  its standard error std/sqrt(K). Every training and validation row is scored once, so a class
  with 10 validation positives is judged on about 50.
- ``repeated``: R stratified re-splits of train+val, each holding out as many rows as the
  validation split; mean and standard error as for ``kfold``.

A synthetic sample is dropped from a fold whose held-out rows contain its source example: the
sample paraphrases that row, so keeping it would score the model on text it was shown. (The
featuriser stays the one fitted on the training texts; its unsupervised vocabulary is shared.)

A generator that learns from every training text of the class (the offline ``ngram`` backend)
puts words of *all* training rows into every sample, so no training row may be scored: with such
a generator the folds split the validation rows only (each fold fits on the training split and the
other validation folds) and add no scored rows over ``holdout``; only a generator whose samples
depend on their own example alone (a real LLM) gets the larger scored pool. Measured on the
quickstart before this rule: ``all-examples`` gained +0.35 validation CBA in folds that scored
training rows, +0.11 on test.

The test numbers always come from the candidate fitted on the training split plus all its samples,
the same model for every scheme, so schemes are compared by what their choices do on test. Cost:
``holdout`` 1 fit a candidate, ``kfold`` K + 1, ``repeated`` R + 1; the retrain-second budget
counts every fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from autogets_ray.errors import UserInputError
from autogets_ray.metrics import Evaluation, objective_column, objective_standard_error
from autogets_ray.typed import Float, Int, options_dataclass

SCHEMES = ("holdout", "kfold", "repeated")


@options_dataclass("evaluation")
class EvaluationConfig:
    """``evaluation:`` in an experiment config; validated when built (a wrong value is a
    :class:`~autogets_ray.errors.UserInputError` naming ``evaluation.<key>``)."""

    scheme: Annotated[
        Literal["holdout", "kfold", "repeated"],
        Field(description="how a candidate is scored: holdout, kfold or repeated"),
    ] = "holdout"
    #: K of ``kfold``
    folds: Annotated[Int, Field(ge=2, description="K of kfold, an integer >= 2")] = 5
    #: R of ``repeated``
    repeats: Annotated[Int, Field(ge=2, description="R of repeated, an integer >= 2")] = 5
    #: seeds the fold assignment (the same folds for every candidate of the experiment)
    seed: Annotated[Int, Field(ge=0, lt=2**32, description="an integer in [0, 2**32)")] = 0
    #: a choice beats another only by more than this many standard errors (decision.py)
    margin_se: Annotated[
        Float, Field(ge=0, description="standard errors a choice must win by, a number >= 0")
    ] = 1.0

    @property
    def n_scores(self) -> int:
        """Fits whose validation scores make up a candidate's objective."""
        return {"holdout": 1, "kfold": self.folds, "repeated": self.repeats}[self.scheme]

    @property
    def fits_per_candidate(self) -> int:
        """Every fit of a candidate: the scored fits plus, off holdout, the model reported on test."""
        return 1 if self.scheme == "holdout" else self.n_scores + 1


@dataclass(frozen=True)
class Fold:
    """Positions into the pool (training rows, then validation rows): fit on one part, score the other."""

    fit: np.ndarray
    score: np.ndarray


def plan_folds(
    pool_labels: np.ndarray,
    n_train: int,
    config: EvaluationConfig,
    classes: Sequence[str] = (),
    validation_only: bool = False,
) -> list[Fold]:
    """The folds of ``config.scheme`` over a pool whose first ``n_train`` rows are the training split.

    ``validation_only``: only validation rows are ever scored (a generator that learns from the
    training texts, module docstring); the training split is in every fold's fit.
    """
    from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

    n = len(pool_labels)
    if config.scheme == "holdout":
        return [Fold(np.arange(n_train), np.arange(n_train, n))]
    first = n_train if validation_only else 0
    labels = pool_labels[first:]
    codes, counts = np.unique(labels, return_counts=True)
    need = config.folds if config.scheme == "kfold" else 2
    where = "validation rows" if validation_only else "rows in train+val"
    if counts.min() < need:
        small = int(codes[np.argmin(counts)])
        name = classes[small] if small < len(classes) else small
        option = "evaluation.folds" if config.scheme == "kfold" else "evaluation.scheme"
        raise UserInputError(
            f"{option}: class {name!r} has only {int(counts.min())} {where}, fewer than "
            f"the {need} that {config.scheme} needs; use fewer folds or evaluation.scheme=holdout"
        )
    if config.scheme == "kfold":
        splitter = StratifiedKFold(n_splits=config.folds, shuffle=True, random_state=config.seed)
    else:
        held = 0.5 if validation_only else (n - n_train) / n
        if round(held * len(labels)) < len(codes):
            raise UserInputError(
                f"evaluation.scheme: repeated holds out {round(held * len(labels))} {where}, "
                f"fewer than the {len(codes)} classes; use evaluation.scheme=holdout or kfold"
            )
        splitter = StratifiedShuffleSplit(n_splits=config.repeats, test_size=held, random_state=config.seed)
    folds = []
    for _, score in splitter.split(np.zeros(len(labels)), labels):
        score = np.sort(score) + first
        folds.append(Fold(np.setdiff1d(np.arange(n), score), score))
    return folds


@dataclass(frozen=True)
class FoldMetrics:
    """A candidate's validation metrics: one :meth:`Evaluation.flat` dict per scored fit.

    ``holdout`` keeps the one evaluation of the holdout scheme, whose standard error is analytic.
    """

    folds: tuple[dict[str, float], ...]
    holdout: Evaluation | None = None

    def flat(self) -> dict[str, float]:
        """Each metric's mean over the folds."""
        keys = self.folds[0].keys()
        return {key: float(np.mean([fold[key] for fold in self.folds])) for key in keys}

    def objective_folds(self, objective: str, target_class: str | None = None) -> np.ndarray:
        key = objective_column(objective, target_class)
        try:
            return np.array([fold[key] for fold in self.folds], dtype=float)
        except KeyError:
            raise ValueError(f"no metric {key!r} was computed for this candidate") from None

    def objective(self, objective: str, target_class: str | None = None) -> float:
        return float(np.mean(self.objective_folds(objective, target_class)))

    def standard_error(self, objective: str, target_class: str | None = None) -> float:
        """Over folds: sample std / sqrt(K); on the holdout split: the analytic binomial/AUC error."""
        values = self.objective_folds(objective, target_class)
        if len(values) > 1:
            return float(np.std(values, ddof=1) / math.sqrt(len(values)))
        if self.holdout is None:
            return math.nan
        return objective_standard_error(self.holdout, objective, target_class)

    @property
    def oba(self) -> float:
        return self.objective("oba")

    @classmethod
    def of(cls, evaluation: Evaluation) -> FoldMetrics:
        return cls((evaluation.flat(),), holdout=evaluation)


@dataclass
class ScoredCandidate:
    """A candidate scored under the experiment's scheme."""

    val: FoldMetrics
    test: Evaluation
    retrain_seconds: float  # every fit, with featurising the added rows (the budget's unit)
    fits: int
    n_synthetic: int
    device: str = "cpu"
    #: the fit on the training split plus every sample, scored on the validation split
    holdout_val: Evaluation | None = None
