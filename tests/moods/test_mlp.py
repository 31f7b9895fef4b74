"""The paper's MLP: device choice and the fit it reports."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autogets_ray.moods.mlp import MLPConfig, resolve_device, train_mlp


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="device must be one of cpu, cuda, auto, got 'tpu'"):
        MLPConfig(device="tpu")


def test_auto_uses_a_gpu_only_when_torch_sees_one():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="asking for CUDA is only an error where there is none")
def test_asking_for_cuda_without_one_says_what_to_do():
    with pytest.raises(ValueError, match="torch sees no GPU here.*use 'cpu' or 'auto'"):
        resolve_device("cuda")


def test_a_fit_reports_its_device_and_is_reproducible():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] > 0.5).astype(np.int64)
    config = MLPConfig(max_updates=60, device="auto")
    first, second = train_mlp(X, y, config, seed=3), train_mlp(X, y, config, seed=3)
    assert first.info.device == resolve_device("auto")
    np.testing.assert_array_equal(first.z(X), second.z(X))
    assert first.z(X).dtype == np.float64 and first.predict(X).shape == (80,)


def test_a_fit_leaves_the_process_torch_state_as_it_found_it():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = (X[:, 1] > 0).astype(np.int64)
    config = MLPConfig(max_updates=20, threads=1)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        torch.manual_seed(123)
        expected_draw = torch.rand(3)
        torch.manual_seed(123)
        first = train_mlp(X, y, config, seed=5)
        assert torch.get_num_threads() == 2  # restored after the fit's one thread
        torch.testing.assert_close(torch.rand(3), expected_draw)  # the global generator was not advanced
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(first.z(X), train_mlp(X, y, config, seed=5).z(X))
    assert not np.array_equal(first.z(X), train_mlp(X, y, config, seed=6).z(X))


def _separable(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def test_a_warm_start_on_unchanged_data_returns_the_converged_cold_fit():
    X, y = _separable()
    config = MLPConfig(lr=1e-2, max_updates=3000, max_epochs=2000, grad_tol=5e-3)
    cold = train_mlp(X, y, config, seed=1)
    assert cold.info.grad_norm <= config.grad_tol  # converged, so there is nothing left to fit
    warm = train_mlp(X, y, config, seed=9, init=cold.weights())
    assert warm.info.updates == 0
    np.testing.assert_array_equal(warm.z(X), cold.z(X))
    np.testing.assert_array_equal(warm.predict(X), cold.predict(X))


def test_a_warm_start_on_new_data_continues_from_the_given_weights_within_its_cap():
    X, y = _separable()
    config = MLPConfig(max_updates=400, warm_max_updates=25)
    cold = train_mlp(X, y, config, seed=1)
    X_more, y_more = _separable(seed=2)
    X2, y2 = np.concatenate([X, X_more]), np.concatenate([y, y_more])
    warm = train_mlp(X2, y2, config, seed=1, init=cold.weights())
    assert 0 < warm.info.updates <= config.warm_max_updates
    assert not np.array_equal(warm.z(X), cold.z(X))
    again = train_mlp(X2, y2, config, seed=1, init=cold.weights())
    np.testing.assert_array_equal(warm.z(X2), again.z(X2))  # seeded: the same warm fit twice


def test_warm_start_weights_of_another_net_are_refused():
    X, y = _separable()
    other = train_mlp(X[:, :2], y, MLPConfig(max_updates=5), seed=0)
    with pytest.raises(ValueError, match="warm-start weights have shapes"):
        train_mlp(X, y, MLPConfig(max_updates=5), seed=0, init=other.weights())
