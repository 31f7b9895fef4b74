from __future__ import annotations

import pandas as pd
import pytest

from autogets_ray.experiment.evaluation import FoldMetrics, ScoredCandidate
from autogets_ray.experiment.results import best_trial, plot_trajectories, summary, trajectory
from autogets_ray.metrics import evaluate

CLASSES = ["a", "b"]


def trials_table():
    rows = []
    for strategy, values in (("sw", [0.5, 0.7, 0.6]), ("ga", [0.4, 0.45, 0.8])):
        for i, v in enumerate(values):
            rows.append(
                {
                    "search_id": f"b-{strategy}-cba",
                    "strategy": strategy,
                    "target_class": "b",
                    "objective": "cba",
                    "candidate_id": f"{strategy}{i}",
                    "val_objective": v,
                    "test_objective": v - 0.1,
                    "retrain_seconds": 1.5,
                    "subset_size": 3 + i,
                    "val_oba": 0.6 + v / 10,
                    "test_oba": 0.55 + v / 10,
                    "val_cba[b]": v,
                    "test_cba[b]": v - 0.1,
                    "completed_order": i,
                }
            )
    return pd.DataFrame(rows)


def test_trajectory_is_cumulative_and_monotone():
    traj = trajectory(trials_table())
    sw = traj[traj["strategy"] == "sw"]
    assert sw["cumulative_retrain_seconds"].tolist() == [1.5, 3.0, 4.5]
    assert sw["best_so_far"].tolist() == [0.5, 0.7, 0.7]


def holdout_m0(evaluation):
    return ScoredCandidate(FoldMetrics.of(evaluation), evaluation, 0.0, 1, 0)


def test_summary_picks_best_validation_trial_and_deltas():
    m0 = evaluate([0, 0, 1, 1], [0, 0, 1, 0], CLASSES)  # CBA of b = 0.75, OBA = 0.75
    table = summary(trials_table(), holdout_m0(m0)).set_index("strategy")
    assert table.loc["sw", "best_val"] == pytest.approx(0.7)
    assert table.loc["sw", "best_candidate"] == "sw1" and table.loc["sw", "best_subset_size"] == 4
    assert table.loc["ga", "best_val_delta"] == pytest.approx(0.8 - 0.75)
    assert table.loc["ga", "best_test_delta"] == pytest.approx(0.7 - 0.75)
    assert table.loc["ga", "delta_oba_val"] == pytest.approx(0.68 - m0.oba)
    assert table.loc["sw", "trials"] == 3
    assert "retrain_seconds" not in table  # timings live in trials.parquet: the summary is reproducible


def test_trajectory_plot_is_written(tmp_path):
    path = plot_trajectories(trajectory(trials_table()), tmp_path / "t.png", m0={("b", "cba"): 0.6})
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_ties_go_to_the_candidate_proposed_first_not_the_one_finished_first():
    trials = trials_table()
    sw = trials[trials["strategy"] == "sw"].copy()
    sw["val_objective"] = 0.7  # all three tie
    sw["proposal_index"] = [2, 0, 1]  # sw1 was proposed first, sw0 finished first
    assert best_trial(sw)["candidate_id"] == "sw1"
    sw["proposal_index"] = -1  # results written before proposal indices: completion order
    assert best_trial(sw)["candidate_id"] == "sw0"


def baselines_rows(values, se=0.01):
    rows = []
    for name, value in values.items():
        rows.append(
            {
                "target_class": "b",
                "objective": "cba",
                "baseline": name,
                "val_objective": value,
                "val_objective_se": se,
                "val_objective_folds": "[%r]" % value,
                "test_objective": value - 0.05,
                "test_cba[b]": value - 0.05,
                "test_oba": 0.6,
            }
        )
    return pd.DataFrame(rows)


def test_summary_recommends_a_baseline_when_the_search_does_not_beat_it():
    m0 = evaluate([0, 0, 1, 1], [0, 0, 1, 0], CLASSES)  # CBA of b = 0.75
    trials = trials_table().assign(val_objective_se=0.01, val_objective_folds=None)
    baselines = baselines_rows({"m0": 0.75, "all-examples": 0.795, "duplicate": 0.70})
    table = summary(trials, holdout_m0(m0), baselines).set_index("strategy")
    # sw's best (0.70) is below M0; ga's best (0.80) beats M0 but is within 0.005 of all-examples
    assert table.loc["sw", "recommendation"] == "use-all-examples"
    assert table.loc["ga", "recommendation"] == "use-all-examples"
    assert table.loc["ga", "best_baseline"] == "all-examples"
    assert table.loc["ga", "recommended_delta_cba_test"] == pytest.approx(0.745 - m0.objective("cba", "b"))
    assert table.loc["ga", "recommended_val_delta"] == pytest.approx(0.795 - 0.75)
    assert table.loc["ga", "recommended_test_delta"] == pytest.approx(0.745 - 0.75)
    table = summary(trials, holdout_m0(m0), baselines_rows({"m0": 0.75, "duplicate": 0.70}))
    ga = table.set_index("strategy").loc["ga"]
    assert ga["recommendation"] == "ga2" and ga["recommendation_kind"] == "search"
    assert ga["recommended_delta_cba_test"] == pytest.approx(0.7 - 0.75)
    assert ga["recommended_val_delta"] == pytest.approx(0.8 - 0.75) and ga[
        "recommended_test_delta"
    ] == pytest.approx(-0.05)
