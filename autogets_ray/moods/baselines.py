"""Baselines of paper Table 2 with the same MLP and splits: none, SMOTE, SVM-SMOTE, MUBO."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autogets_ray.moods.core import MoodsOutcome, MoodsSettings, assemble_training_set
from autogets_ray.moods.local import run_moods_local
from autogets_ray.moods.metrics import BinaryF1, binary_f1
from autogets_ray.moods.mlp import MLPConfig, train_mlp
from autogets_ray.moods.split import TabularSplit
from autogets_ray.registry import Registry


@dataclass
class MethodResult:
    """Test scores of the model trained on a method's training set, and that set's outputs z."""

    test: BinaryF1
    val: BinaryF1
    seconds: float
    z_train: np.ndarray
    y_train: np.ndarray
    extra: dict[str, object]


BASELINES: Registry[MethodResult] = Registry("baseline")


Resample = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def fit_and_score(split: TabularSplit, resample: Resample, mlp: MLPConfig, seed: int) -> MethodResult:
    """Fit the MLP on the resampled training part and score it on test; its validation F1 comes
    from D^V or, under k folds, from the out-of-fold predictions of one fit per fold, each on the
    resampled rows outside its fold (what a MOODS candidate is scored on, :mod:`.step`)."""
    start = time.perf_counter()
    X, y = resample(split.X_train, split.y_train)
    X, y = np.asarray(X), np.asarray(y)
    model = train_mlp(X, y, mlp, seed=seed)
    if split.folds is None:
        val = binary_f1(split.y_val, model.predict(split.X_val))
    else:
        predicted = np.empty(len(split.y_train), dtype=np.int64)
        for inside in split.fold_masks():
            X_f, y_f = resample(split.X_train[inside], split.y_train[inside])
            fold_model = train_mlp(np.asarray(X_f), np.asarray(y_f), mlp, seed=seed)
            predicted[~inside] = fold_model.predict(split.X_train[~inside])
        val = binary_f1(split.y_train, predicted)
    return MethodResult(
        test=binary_f1(split.y_test, model.predict(split.X_test)),
        val=val,
        seconds=time.perf_counter() - start,
        z_train=model.z(X),
        y_train=y,
        extra={"train_rows": len(y)},
    )


@BASELINES.register("none", help="no resampling: the MLP on the imbalanced training split (w/o)")
def no_resampling(split: TabularSplit, mlp: MLPConfig, seed: int, settings: MoodsSettings) -> MethodResult:
    return fit_and_score(split, lambda X, y: (X, y), mlp, seed)


def _smote_family(sampler_class, seed: int) -> Resample:
    def resample(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = min(5, int(y.sum()) - 1)
        return sampler_class(k_neighbors=k, random_state=seed).fit_resample(X, y)

    return resample


@BASELINES.register("smote", help="SMOTE to a balanced training split (imbalanced-learn defaults)")
def smote(split: TabularSplit, mlp: MLPConfig, seed: int, settings: MoodsSettings) -> MethodResult:
    from imblearn.over_sampling import SMOTE

    return fit_and_score(split, _smote_family(SMOTE, seed), mlp, seed)


@BASELINES.register("svm-smote", help="SVM-SMOTE to a balanced training split (S-SMO)")
def svm_smote(split: TabularSplit, mlp: MLPConfig, seed: int, settings: MoodsSettings) -> MethodResult:
    from imblearn.over_sampling import SVMSMOTE

    return fit_and_score(split, _smote_family(SVMSMOTE, seed), mlp, seed)


def mubo_settings(settings: MoodsSettings) -> MoodsSettings:
    """MUBO's outer loop from MOODS's: no synthetic rows, val-loss acceptance, K = 1, same rounds,
    every fit from the seeded initialisation (as published)."""
    from dataclasses import replace

    rounds = math.ceil(settings.max_candidates / settings.steps_per_round)
    return replace(
        settings,
        synthetic=False,
        acceptance="val-loss",
        steps_per_round=1,
        max_candidates=rounds,
        warm_start=False,
    )


@BASELINES.register("mubo", help="MUBO: bilevel majority undersampling, no synthetic data (val-loss)")
def mubo(split: TabularSplit, mlp: MLPConfig, seed: int, settings: MoodsSettings) -> MethodResult:
    """MOODS's outer loop without SVM-SMOTE, accepting a majority batch when the validation loss
    decreases (MUBO's upper level minimises a loss; our reading of Medlin et al. 2024).

    One step per round, as many rounds as MOODS gets (``max_candidates / steps_per_round`` trials)
    and the same patience in rounds."""
    start = time.perf_counter()
    outcome = run_moods_local(split, mubo_settings(settings), mlp, seed)
    return outcome_result(split, outcome, time.perf_counter() - start)


def outcome_result(split: TabularSplit, outcome: MoodsOutcome, seconds: float) -> MethodResult:
    """A bilevel run's final accepted state (MOODS or MUBO) as a method's result."""
    X, y = assemble_training_set(split.X_train, np.flatnonzero(split.y_train == 1), outcome.state)
    return MethodResult(
        test=outcome.state.test,
        val=outcome.state.val,
        seconds=seconds,
        z_train=outcome.state.z_train,
        y_train=y,
        extra={
            "train_rows": len(y),
            "evaluations": len(outcome.history),
            "compute_seconds": sum(h.seconds for h in outcome.history),
            "outcome": outcome,
        },
    )
