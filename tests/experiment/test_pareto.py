"""A Pareto search's front, recommended point, hypervolume and figure from a constructed trials table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from autogets_ray.experiment.evaluation import FoldMetrics, ScoredCandidate
from autogets_ray.experiment.pareto import (
    FrontChooser,
    front_rows,
    m0_point,
    pareto_tables,
    plot_pareto_fronts,
    recommended_point,
)
from autogets_ray.experiment.results import summary
from autogets_ray.metrics import evaluate, hypervolume

CLASSES = ["a", "b"]
OBJECTIVES = ["cr", "oba"]
#: (val cr[b], val oba, test cr[b], test oba) per candidate, in proposal order
POINTS = {
    "c0": (0.50, 0.80, 0.45, 0.78),  # front
    "c1": (0.60, 0.70, 0.55, 0.72),  # front; lowers OBA below M0's 0.75
    "c2": (0.40, 0.70, 0.50, 0.70),  # dominated by c0
    "c3": (0.55, 0.76, 0.40, 0.77),  # front, keeps OBA >= M0: recommended (cr 0.55 > c0's 0.50)
    "c4": (0.55, 0.76, 0.60, 0.79),  # the same point as c3, proposed later: not recommended
    "c5": (0.70, float("nan"), 0.70, 0.70),  # failed on one objective: never on the front
}


def trials_table(points=POINTS) -> pd.DataFrame:
    rows = []
    for i, (candidate, (val_cr, val_oba, test_cr, test_oba)) in enumerate(points.items()):
        rows.append(
            {
                "search_id": "b-ga-pareto",
                "strategy": "ga",
                "target_class": "b",
                "objective": "cr",
                "candidate_id": candidate,
                "example_ids": json.dumps([i, 10 + i]),
                "proposal_index": i,
                "completed_order": len(points) - i,
                "subset_size": 2,
                "retrain_seconds": 1.0,
                "val_objective": val_cr,
                "test_objective": test_cr,
                "val_cr[b]": val_cr,
                "test_cr[b]": test_cr,
                "val_oba": val_oba,
                "test_oba": test_oba,
                "val_cba[b]": val_cr,
                "test_cba[b]": test_cr,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def m0() -> ScoredCandidate:
    evaluation = evaluate([0, 0, 1, 1], [0, 0, 1, 0], CLASSES)  # cr[b] = 0.5, OBA = 0.75
    return ScoredCandidate(FoldMetrics.of(evaluation), evaluation, 0.0, 1, 0)


def test_the_front_is_the_non_dominated_validation_points_in_proposal_order():
    front = front_rows(trials_table(), OBJECTIVES, "b")
    assert front["candidate_id"].tolist() == ["c0", "c1", "c3", "c4"]


def test_the_recommended_point_is_the_largest_class_gain_that_keeps_oba(m0):
    front = front_rows(trials_table(), OBJECTIVES, "b")
    reference = m0_point(m0, OBJECTIVES, "b", "val")
    assert reference.tolist() == pytest.approx([0.5, 0.75])
    assert recommended_point(front, OBJECTIVES, "b", reference)["candidate_id"] == "c3"
    lowered = trials_table({k: v for k, v in POINTS.items() if k in ("c1", "c2")})
    assert recommended_point(front_rows(lowered, OBJECTIVES, "b"), OBJECTIVES, "b", reference) is None


def test_tables_hold_both_objectives_on_val_and_test_and_the_hypervolume_over_m0(m0):
    front, per_search = pareto_tables(trials_table(), OBJECTIVES, m0)
    assert list(front.columns) == [
        "search_id",
        "strategy",
        "target_class",
        "candidate_id",
        "subset_size",
        "val_cr",
        "val_oba",
        "test_cr",
        "test_oba",
        "recommended",
    ]
    assert front.loc[front["recommended"], "candidate_id"].tolist() == ["c3"]
    row = per_search.iloc[0]
    assert row["front_size"] == 4 and row["recommended_candidate"] == "c3"
    # over M0 (0.5, 0.75) on validation only c3/c4 (0.55, 0.76) and c0's OBA edge count
    assert row["hypervolume_val"] == pytest.approx(hypervolume([(0.55, 0.76)], (0.5, 0.75)))
    test_points = front[["test_cr", "test_oba"]].to_numpy()
    assert row["hypervolume_test"] == pytest.approx(
        hypervolume(test_points, m0_point(m0, OBJECTIVES, "b", "test"))
    )


def test_the_summary_reports_the_recommended_point_or_none(m0):
    chooser = FrontChooser(OBJECTIVES, m0)
    row = summary(trials_table(), m0, choose=chooser).iloc[0]
    assert row["best_candidate"] == "c3" and row["best_val"] == pytest.approx(0.55)
    lowered = trials_table({k: v for k, v in POINTS.items() if k in ("c1", "c2")})
    row = summary(lowered, m0, choose=chooser).iloc[0]
    assert row["best_candidate"] == "" and np.isnan(row["best_val"])
    assert row["recommendation"] == "keep-m0" and "keeps oba at or above M0" in row["recommendation_reason"]


def test_three_objectives_and_the_figure(m0, tmp_path):
    front, per_search = pareto_tables(trials_table(), ["cr", "oba", "cba"], m0)
    assert {"val_cba", "test_cba"} <= set(front.columns)
    assert per_search.iloc[0]["hypervolume_val"] >= 0
    front, per_search = pareto_tables(trials_table(), OBJECTIVES, m0)
    path = plot_pareto_fronts(trials_table(), front, per_search, tmp_path / "front.png")
    assert path.stat().st_size > 10_000
