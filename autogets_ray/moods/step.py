"""Evaluate one MOODS candidate: SVM-SMOTE (Alg. 1 l. 6-7), inner loop (l. 8-12), F1s (l. 13-14).

Two ways to score a candidate, chosen by the split. With a holdout D^V (the paper's), the step's
set S_k is fitted once and scored on D^V. With k folds (:mod:`.split`), a candidate is the majority
rows it would train on: for every fold j the real rows of S_k outside fold j, plus SVM-SMOTE rows
generated from those alone, train a model that scores the rows of fold j, so every labelled row is
scored once by a model that never saw it or anything synthesised from it. The pooled out-of-fold
scores are the candidate's validation F1s, loss and per-row losses; the acceptance rules read them
as they read D^V's. The model that is kept is fitted afterwards on the final state's rows
(:func:`finish_outcome`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from autogets_ray.moods.core import MoodsOutcome, MoodsState, Step, StepResult, assemble_training_set
from autogets_ray.moods.metrics import BinaryF1, RowLosses, binary_f1
from autogets_ray.moods.mlp import MLPConfig, train_mlp
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.synthesis import svm_smote_rows

#: Test scores of a candidate scored out of fold: only the final state's model meets test rows.
NOT_SCORED = BinaryF1(math.nan, math.nan, math.nan)


def row_losses(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """BCE of sigmoid(2z - 1) per row (Def. 1), from the model's outputs ``z``."""
    logit = 2 * z - 1
    return np.logaddexp(0, logit) - y * logit  # -log sigmoid(logit) for y=1, -log(1-sigmoid) for y=0


def with_synthetic(X: np.ndarray, y: np.ndarray, synthesize: bool, seed: int) -> tuple[np.ndarray, ...]:
    """``X, y`` followed by the SVM-SMOTE rows generated from them (none when ``synthesize`` is off);
    also returns the generated rows."""
    new = svm_smote_rows(X, y, seed) if synthesize else np.empty((0, X.shape[1]))
    return np.concatenate([X, new]), np.concatenate([y, np.ones(len(new), dtype=np.int64)]), new


def _check(state: MoodsState, candidate: Step) -> None:
    if candidate.state_version != state.version:
        raise ValueError(
            f"candidate {candidate.candidate_id} was drawn from state {candidate.state_version}, "
            f"not from state {state.version}"
        )
    if candidate.warm_start and state.weights is None:
        raise ValueError(
            f"candidate {candidate.candidate_id} is warm-started, but state {state.version} has no weights"
        )


@dataclass
class _Fitted:
    """What the fits of one candidate produced, before it is scored."""

    z_val: np.ndarray  # outputs on the validation rows (D^V, or every training row out of fold)
    y_val: np.ndarray
    weights: list[np.ndarray]
    test: BinaryF1
    synthetic_new: np.ndarray
    z_train: np.ndarray
    device: str


def evaluate_step(
    split: TabularSplit,
    minority_idx: np.ndarray,
    state: MoodsState,
    candidate: Step,
    mlp: MLPConfig,
    model_seed: int,
) -> StepResult:
    """Build S_k, train z_w* on it from the run's fixed initialisation (or, warm-started, from the
    accepted state's weights) and score it: on D^V, or out of fold (module docstring)."""
    start = time.perf_counter()
    _check(state, candidate)
    fit = _fit_out_of_fold if split.folds is not None else _fit_on_holdout
    fitted = fit(split, minority_idx, state, candidate, mlp, model_seed)
    losses = row_losses(fitted.z_val, fitted.y_val)
    return StepResult(
        candidate_id=candidate.candidate_id,
        val=binary_f1(fitted.y_val, fitted.z_val > 0.5),
        val_loss=float(np.mean(losses)),
        val_rows=RowLosses.of(losses, fitted.y_val),
        weights=fitted.weights,
        test=fitted.test,
        synthetic_new=fitted.synthetic_new,
        z_train=fitted.z_train,
        seconds=time.perf_counter() - start,
        device=fitted.device,
    )


def _fit_on_holdout(
    split: TabularSplit,
    minority_idx: np.ndarray,
    state: MoodsState,
    candidate: Step,
    mlp: MLPConfig,
    seed: int,
) -> _Fitted:
    X, y = assemble_training_set(split.X_train, minority_idx, state, candidate.add_majority)
    X_s, y_s, new = with_synthetic(X, y, candidate.synthesize, candidate.seed)
    model = train_mlp(X_s, y_s, mlp, seed=seed, init=state.weights if candidate.warm_start else None)
    test = binary_f1(split.y_test, model.predict(split.X_test))
    return _Fitted(
        model.z(split.X_val), split.y_val, model.weights(), test, new, model.z(X_s), model.info.device
    )


def fold_weights(weights: list[np.ndarray] | None, folds: int, fold: int) -> list[np.ndarray] | None:
    """Fold ``fold``'s model out of the folds' weights stored one model after the other."""
    if weights is None:
        return None
    per_model = len(weights) // folds
    return weights[fold * per_model : (fold + 1) * per_model]


def _fit_out_of_fold(
    split: TabularSplit,
    minority_idx: np.ndarray,
    state: MoodsState,
    candidate: Step,
    mlp: MLPConfig,
    seed: int,
) -> _Fitted:
    rows = np.concatenate([minority_idx, state.majority_idx, candidate.add_majority]).astype(np.int64)
    z_oof = np.empty(len(split.y_train))
    weights: list[np.ndarray] = []
    device = "cpu"
    for fold, inside in enumerate(split.fold_masks()):
        fit_rows = rows[inside[rows]]
        X_s, y_s, _ = with_synthetic(
            split.X_train[fit_rows], split.y_train[fit_rows], candidate.synthesize, candidate.seed + fold
        )
        init = fold_weights(state.weights, split.n_folds, fold) if candidate.warm_start else None
        model = train_mlp(X_s, y_s, mlp, seed=seed, init=init)
        z_oof[~inside] = model.z(split.X_train[~inside])
        weights.extend(model.weights())
        device = model.info.device
    no_rows = np.empty((0, split.X_train.shape[1]))
    return _Fitted(z_oof, split.y_train, weights, NOT_SCORED, no_rows, np.empty(0), device)


def finish_outcome(
    split: TabularSplit, outcome: MoodsOutcome, mlp: MLPConfig, seed: int, synthesize: bool
) -> MoodsOutcome:
    """The model a run keeps. Under k folds no candidate was fitted on all its rows: fit the final
    state's real rows plus SVM-SMOTE rows generated from them (seeded by ``seed``), from the run's
    initialisation, and score that model on test. A holdout run's final state is already fitted.
    S_0, a final state no step extended, gets no synthetic rows, as on the holdout."""
    if split.folds is None:
        return outcome
    state = outcome.state
    minority_idx = np.flatnonzero(split.y_train == 1)
    X, y = assemble_training_set(split.X_train, minority_idx, replace(state, synthetic=state.synthetic[:0]))
    X_s, y_s, new = with_synthetic(X, y, synthesize and state.version > 0, seed)
    model = train_mlp(X_s, y_s, mlp, seed=seed)
    final = replace(
        state, synthetic=new, test=binary_f1(split.y_test, model.predict(split.X_test)), z_train=model.z(X_s)
    )
    return replace(outcome, state=final)
