"""Evaluate one MOODS candidate: SVM-SMOTE (Alg. 1 l. 6-7), inner loop (l. 8-12), F1s (l. 13-14)."""

from __future__ import annotations

import time

import numpy as np

from autogets_ray.moods.core import MoodsState, Step, StepResult, assemble_training_set
from autogets_ray.moods.metrics import RowLosses, binary_f1
from autogets_ray.moods.mlp import MLPClassifier, MLPConfig, train_mlp
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.synthesis import svm_smote_rows


def row_losses(model: MLPClassifier, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """BCE of sigmoid(2z - 1) per row (Def. 1)."""
    logit = 2 * model.z(X) - 1
    return np.logaddexp(0, logit) - y * logit  # -log sigmoid(logit) for y=1, -log(1-sigmoid) for y=0


def evaluate_step(
    split: TabularSplit,
    minority_idx: np.ndarray,
    state: MoodsState,
    candidate: Step,
    mlp: MLPConfig,
    model_seed: int,
) -> StepResult:
    """Build S_k, train z_w* on it from the run's fixed initialisation (or, warm-started, from the
    accepted state's weights) and score it."""
    start = time.perf_counter()
    if candidate.state_version != state.version:
        raise ValueError(
            f"candidate {candidate.candidate_id} was drawn from state {candidate.state_version}, "
            f"not from state {state.version}"
        )
    X, y = assemble_training_set(split.X_train, minority_idx, state, candidate.add_majority)
    new = svm_smote_rows(X, y, candidate.seed) if candidate.synthesize else np.empty((0, X.shape[1]))
    X_s = np.concatenate([X, new])
    y_s = np.concatenate([y, np.ones(len(new), dtype=np.int64)])
    if candidate.warm_start and state.weights is None:
        raise ValueError(
            f"candidate {candidate.candidate_id} is warm-started, but state {state.version} has no weights"
        )
    model = train_mlp(X_s, y_s, mlp, seed=model_seed, init=state.weights if candidate.warm_start else None)
    losses = row_losses(model, split.X_val, split.y_val)
    return StepResult(
        candidate_id=candidate.candidate_id,
        val=binary_f1(split.y_val, model.predict(split.X_val)),
        val_loss=float(np.mean(losses)),
        val_rows=RowLosses.of(losses, split.y_val),
        weights=model.weights(),
        test=binary_f1(split.y_test, model.predict(split.X_test)),
        synthetic_new=new,
        z_train=model.z(X_s),
        seconds=time.perf_counter() - start,
        device=model.info.device,
    )
