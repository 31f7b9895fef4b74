from __future__ import annotations

import pandas as pd
import pytest

from autogets_ray.experiment.results import plot_trajectories, summary, trajectory
from autogets_ray.metrics import evaluate

CLASSES = ["a", "b"]


def trials_table():
    rows = []
    for strategy, values in (("sw", [0.5, 0.7, 0.6]), ("ga", [0.4, 0.45, 0.8])):
        for i, v in enumerate(values):
            rows.append({
                "search_id": f"b-{strategy}-cba", "strategy": strategy, "target_class": "b",
                "objective": "cba", "candidate_id": f"{strategy}{i}", "val_objective": v,
                "test_objective": v - 0.1, "retrain_seconds": 1.5, "subset_size": 3 + i,
                "val_oba": 0.6 + v / 10, "test_oba": 0.55 + v / 10, "val_cba[b]": v, "test_cba[b]": v - 0.1,
                "completed_order": i,
            })
    return pd.DataFrame(rows)


def test_trajectory_is_cumulative_and_monotone():
    traj = trajectory(trials_table())
    sw = traj[traj["strategy"] == "sw"]
    assert sw["cumulative_retrain_seconds"].tolist() == [1.5, 3.0, 4.5]
    assert sw["best_so_far"].tolist() == [0.5, 0.7, 0.7]


def test_summary_picks_best_validation_trial_and_deltas():
    m0 = evaluate([0, 0, 1, 1], [0, 0, 1, 0], CLASSES)  # CBA of b = 0.75, OBA = 0.75
    table = summary(trials_table(), m0, m0).set_index("strategy")
    assert table.loc["sw", "best_val"] == pytest.approx(0.7)
    assert table.loc["sw", "best_candidate"] == "sw1" and table.loc["sw", "best_subset_size"] == 4
    assert table.loc["ga", "best_val_delta"] == pytest.approx(0.8 - 0.75)
    assert table.loc["ga", "best_test_delta"] == pytest.approx(0.7 - 0.75)
    assert table.loc["ga", "delta_oba_val"] == pytest.approx(0.68 - m0.oba)
    assert table.loc["sw", "trials"] == 3 and table.loc["sw", "retrain_seconds"] == pytest.approx(4.5)


def test_trajectory_plot_is_written(tmp_path):
    path = plot_trajectories(trajectory(trials_table()), tmp_path / "t.png", m0={("b", "cba"): 0.6})
    assert path.read_bytes()[:4] == b"\x89PNG"
