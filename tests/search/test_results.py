"""outcome_from_result: a trial's report as the outcome a search core learns."""

from __future__ import annotations

import math

import pytest

from autogets_ray.search import TrialOutcome, outcome_from_result


def test_outcome_from_result_keeps_the_validation_metrics_without_their_split():
    outcome = outcome_from_result(
        {
            "objective": 0.7,
            "retrain_seconds": 2.5,
            "val_oba": 0.9,
            "val_cr[Access]": 0.4,
            "test_oba": 0.1,
            "val_note": "text",
            "n_synthetic": 10,
        },
        "objective",
    )
    assert outcome == TrialOutcome(0.7, 2.5, {"oba": 0.9, "cr[Access]": 0.4})
    assert outcome_from_result({"objective": 0.7, "test_oba": 0.1}, "objective", "test").metrics == {
        "oba": 0.1
    }


@pytest.mark.parametrize("result", [{}, {"objective": "n/a"}, {"objective": None, "retrain_seconds": -3}])
def test_outcome_from_an_incomplete_result_is_nan_and_free(result):
    outcome = outcome_from_result(result, "objective")
    assert math.isnan(outcome.objective) and outcome.retrain_seconds == 0.0
