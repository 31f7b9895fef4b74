"""Scoring a MOODS candidate out of fold, and the model a k-fold run keeps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from autogets_ray.data.tabular import load_tabular
from autogets_ray.moods.baselines import BASELINES
from autogets_ray.moods.core import MoodsCore, MoodsSettings, assemble_training_set
from autogets_ray.moods.local import run_moods_local
from autogets_ray.moods.metrics import binary_f1
from autogets_ray.moods.mlp import MLPConfig, train_mlp
from autogets_ray.moods.split import split_tabular
from autogets_ray.moods.step import evaluate_step, fold_weights

from .conftest import FAST_MLP


@pytest.fixture(scope="module")
def folded():
    return split_tabular(load_tabular("ecoli"), seed=0, folds=3)


def _start(split, settings=MoodsSettings()):
    core = MoodsCore(split.y_train, split.X_train.shape[1], settings, seed=0)
    return core, core.propose()[0]


def test_every_row_is_scored_by_the_model_of_the_folds_without_it(folded):
    core, s0 = _start(folded)
    result = evaluate_step(folded, core.minority_idx, core.state, s0, FAST_MLP, model_seed=0)
    n = len(folded.y_train)
    assert len(result.val_rows.minority) + len(result.val_rows.majority) == n  # every row, once
    rows = np.concatenate([core.minority_idx, core.state.majority_idx])
    predicted = np.empty(n, dtype=np.int64)
    for inside in folded.fold_masks():
        fit = rows[inside[rows]]
        model = train_mlp(folded.X_train[fit], folded.y_train[fit], FAST_MLP, seed=0)
        predicted[~inside] = model.predict(folded.X_train[~inside])
    assert result.val == binary_f1(folded.y_train, predicted)
    assert np.isnan(result.test.f1)  # only the kept model meets test rows
    assert len(result.weights) == 3 * len(model.weights())  # one model per fold, one after the other


def test_a_warm_start_on_unchanged_folds_returns_the_converged_cold_fits(folded):
    mlp = MLPConfig(lr=1e-2, max_updates=3000, max_epochs=2000, grad_tol=5e-2)
    core, s0 = _start(folded)
    cold = evaluate_step(folded, core.minority_idx, core.state, s0, mlp, model_seed=0)
    state = replace(core.state, weights=cold.weights)
    same_rows = replace(s0, warm_start=True)  # no majority row added, nothing synthesised
    warm = evaluate_step(folded, core.minority_idx, state, same_rows, mlp, model_seed=5)
    np.testing.assert_array_equal(warm.val_rows.minority, cold.val_rows.minority)
    np.testing.assert_array_equal(warm.val_rows.majority, cold.val_rows.majority)
    assert fold_weights(cold.weights, 3, 2) == cold.weights[len(cold.weights) * 2 // 3 :]


def test_a_k_fold_run_keeps_a_model_fitted_on_every_row_of_its_final_state(folded):
    settings = MoodsSettings(max_candidates=5, acceptance="f1-both-or-equal")
    outcome = run_moods_local(folded, settings, FAST_MLP, seed=0)
    state = outcome.state
    assert state.version > 0, "the constructed run should accept a step"
    assert len(state.synthetic) > 0  # SVM-SMOTE rows of the final state's real rows
    X, y = assemble_training_set(folded.X_train, np.flatnonzero(folded.y_train == 1), state)
    model = train_mlp(X, y, FAST_MLP, seed=0)
    assert state.test == binary_f1(folded.y_test, model.predict(folded.X_test))
    assert len(state.z_train) == len(y)
    assert all(np.isnan(h.test_f1) for h in outcome.history)  # candidates never saw test rows


def test_baselines_under_k_folds_train_on_every_row_and_validate_out_of_fold(folded):
    result = BASELINES.create("none", folded, FAST_MLP, 0, MoodsSettings())
    assert result.extra["train_rows"] == len(folded.y_train)
    predicted = np.empty(len(folded.y_train), dtype=np.int64)
    for inside in folded.fold_masks():
        model = train_mlp(folded.X_train[inside], folded.y_train[inside], FAST_MLP, seed=0)
        predicted[~inside] = model.predict(folded.X_train[~inside])
    assert result.val == binary_f1(folded.y_train, predicted)
