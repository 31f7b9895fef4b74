"""The computations behind the figures: Pareto fronts, trajectory curves, ensemble curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autogets_ray.reporting.ensemble_plot import MIN_CBA, cumulative_curve, fig7_ensemble, tracked_metrics
from autogets_ray.reporting.figures import pareto_front
from autogets_ray.reporting.trajectories import improvement_curves


def test_pareto_front_keeps_the_non_dominated_points_by_increasing_x():
    x = np.array([0.1, 0.2, 0.3, 0.2, 0.05, 0.3])
    y = np.array([0.9, 0.8, 0.5, 0.6, 0.95, 0.4])
    assert pareto_front(x, y).tolist() == [4, 0, 1, 2]


def test_improvement_curves_start_at_m0_and_hold_the_best_model_so_far():
    traj = pd.DataFrame(
        {
            "search_id": ["a"] * 3 + ["b"] * 2,
            "trial_index": [0, 1, 2, 0, 1],
            "cumulative_retrain_seconds": [1.0, 2.0, 4.0, 2.0, 3.0],
            "best_so_far": [0.5, 0.6, 0.6, 0.7, 0.8],
        }
    )
    grid = np.array([0.0, 1.0, 2.5, 3.0, 5.0])
    curves = improvement_curves(traj, {"a": 0.5, "b": 0.75, "c": 0.5}, grid)
    np.testing.assert_allclose(curves[0], [0.0, 0.0, 0.1, 0.1, 0.1])  # M0 until the first trial
    # b's first trial is worse than M0: the best model so far is still M0, never below it
    np.testing.assert_allclose(curves[1], [0.0, 0.0, 0.0, 0.05, 0.05])
    assert np.isnan(improvement_curves(traj, {"a": 0.5}, grid)[1]).all()  # b's M0 unknown


def test_cumulative_curve_carries_the_last_accepted_model():
    steps = pd.DataFrame(
        {
            "iteration": [2, 0, 1, 3],
            "accepted": [False, True, True, "True"],
            "val_oba": [0.95, 0.80, 0.85, 0.90],
        }
    )
    x, y = cumulative_curve(steps, "oba", "val")
    assert x.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(y, [0.0, 0.05, 0.05, 0.10])
    x, _ = cumulative_curve(steps.assign(retrain_seconds=[3.0, 0.0, 2.0, 1.0]), "oba", "val")
    assert x.tolist() == [0.0, 2.0, 5.0, 6.0]  # cumulative retrain seconds, the paper's time axis


def test_tracked_metrics_by_requirement():
    columns = [f"{p}_{m}" for p in ("val", "test") for m in ("cba[T 13]", "cba[T1]", "oba")]
    steps = pd.DataFrame(columns=["method", "iteration", *columns])
    assert tracked_metrics("r3-T 13", steps) == [("cba[T 13]", "CBA of T 13"), ("oba", "OBA")]
    assert tracked_metrics("r3-T_13", steps, {"parameters": {"important_class": "T 13"}})[0][0] == "cba[T 13]"
    assert tracked_metrics("r1", steps)[0] == (MIN_CBA, MIN_CBA)
    assert tracked_metrics("r2", steps) == [("oba", "OBA")]  # no of1 columns


def test_an_ensemble_without_metric_columns_is_a_clear_error(tmp_path):
    steps = pd.DataFrame({"method": ["ensemble"], "iteration": [0], "val_oba": [0.8]})
    with pytest.raises(ValueError, match="r2/steps.csv has no val_/test_ columns"):
        fig7_ensemble("r2", steps, tmp_path / "f.png")
