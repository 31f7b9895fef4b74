"""The ask/tell base: problem validation, budget, errors, NaN, trajectory, registry."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

from autogets_ray.search import (
    FINISHED,
    STRATEGIES,
    Candidate,
    SearchProblem,
    SlidingWindowCore,
    TrialOutcome,
    create_core,
    strategy_parameters,
)
from tests.search.helpers import drive, make_problem


def test_finished_is_one_object_through_pickle_and_deepcopy():
    assert pickle.loads(pickle.dumps(FINISHED)) is FINISHED
    assert copy.deepcopy(FINISHED) is FINISHED
    assert repr(FINISHED) == "FINISHED"


def test_registry_names_and_helpful_errors():
    assert STRATEGIES.names() == ["datamodel", "ga", "hsw", "random", "sw"]
    with pytest.raises(ValueError, match="unknown search strategy 'bees'"):
        create_core("bees", make_problem())
    accepted = "segmnts for strategy 'sw'; it accepts: area, segments, window, stride, pairs"
    with pytest.raises(ValueError, match=accepted):
        create_core("sw", make_problem(), segmnts=8)
    assert strategy_parameters("random") == ["sizes"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"example_ids": []}, "no training examples"),
        ({"example_ids": [1, 1, 2]}, "unique"),
        ({"coords": np.zeros((3, 1))}, "coords must have shape"),
        ({"all_coords": np.zeros((5, 3))}, "all_coords must have shape"),
        ({"class_sizes": {"B": 3}}, "no entry for the target class"),
        ({"budget_seconds": 0.0}, "budget_seconds"),
        ({"max_candidates": 0}, "max_candidates"),
    ],
)
def test_problem_validation(change, message):
    fields = dict(
        target_class="A",
        example_ids=[1, 2, 3],
        coords=np.zeros((3, 2)),
        all_coords=np.zeros((5, 2)),
        class_sizes={"A": 3},
    )
    fields.update(change)
    with pytest.raises(ValueError, match=message):
        SearchProblem(**fields)


def test_problem_from_training_selects_the_target_rows():
    coords = np.arange(12, dtype=float).reshape(6, 2)
    problem = SearchProblem.from_training(
        [5, 6, 7, 8, 9, 10], ["x", "y", "x", "z", "x", "y"], coords, "x", budget_seconds=60
    )
    assert problem.example_ids.tolist() == [5, 7, 9]
    assert problem.coords.tolist() == [[0, 1], [4, 5], [8, 9]]
    assert problem.class_sizes == {"x": 3, "y": 2, "z": 1} and problem.budget_seconds == 60
    assert problem.subset([2, 0]) == (5, 9)
    with pytest.raises(ValueError, match="same training rows"):
        SearchProblem.from_training([1, 2], ["x"], coords[:2], "x")


def test_outcome_and_candidate_values():
    with pytest.raises(ValueError, match="retrain_seconds"):
        TrialOutcome(0.5, -1.0)
    outcome = TrialOutcome(float("nan"), 2.0, {"oba": 0.9})
    assert not outcome.valid and outcome.metric("oba") == 0.9 and math.isnan(outcome.metric("cr[A]"))
    candidate = Candidate("c", (3, 1, 2), {"size": 3})
    assert candidate.key == (1, 2, 3) and hash(candidate) == hash(Candidate("c", (3, 1, 2), {}))


def test_budget_counts_retrain_seconds_and_stops_the_search():
    core = SlidingWindowCore(make_problem(budget_seconds=5.0))
    asked = drive(core, lambda ids: TrialOutcome(0.1, 1.0))
    assert len(asked) == 5 and core.finish_reason == "budget"
    assert core.spent_seconds == 5.0 and core.ask() is FINISHED
    assert [p.spent_seconds for p in core.history] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_outstanding_trials_count_against_the_budget_at_the_mean_time():
    core = SlidingWindowCore(make_problem(budget_seconds=3.0))
    first = [core.ask() for _ in range(4)]  # nothing told yet: nothing to project
    core.tell(first[0].candidate_id, TrialOutcome(0.1, 1.0))
    assert core.ask() is None  # 1 s spent + 3 outstanding x 1 s >= 3 s
    core.tell(first[1].candidate_id, None)  # an error costs nothing
    core.tell(first[2].candidate_id, TrialOutcome(0.2, 1.0))
    assert core.ask() is None
    core.tell(first[3].candidate_id, TrialOutcome(0.3, 1.5))
    assert core.ask() is FINISHED and core.spent_seconds == 3.5


def test_max_candidates():
    core = SlidingWindowCore(make_problem(max_candidates=3))
    assert len(drive(core)) == 3 and core.finish_reason == "max_candidates"


def test_errors_and_nan_never_win_and_the_trajectory_keeps_them():
    outcomes = iter(
        [
            None,
            TrialOutcome(float("nan"), 1.0),
            TrialOutcome(0.2, 1.0),
            None,
            TrialOutcome(float("inf"), 1.0),
            TrialOutcome(0.1, 1.0),
        ]
    )
    core = SlidingWindowCore(make_problem(max_candidates=6))
    asked = drive(core, lambda ids: next(outcomes))
    assert core.best[0] == asked[2] and core.best[1].objective == 0.2
    trajectory = [(p.outcome is None, p.spent_seconds, p.best_objective) for p in core.history]
    assert trajectory[0][0] and math.isnan(trajectory[0][2]) and math.isnan(trajectory[1][2])
    assert [t[1:] for t in trajectory[2:]] == [(2.0, 0.2), (2.0, 0.2), (3.0, 0.2), (4.0, 0.2)]


def test_consecutive_errors_end_the_search():
    core = SlidingWindowCore(make_problem(max_consecutive_errors=3))
    assert len(drive(core, lambda ids: None)) == 3 and core.finish_reason == "errors"
    assert core.best is None


def test_tell_checks_its_arguments():
    core = SlidingWindowCore(make_problem())
    candidate = core.ask()
    with pytest.raises(ValueError, match="not outstanding"):
        core.tell("sw-nope", None)
    with pytest.raises(ValueError, match="TrialOutcome or None"):
        core.tell(candidate.candidate_id, 0.5)
    core.tell(candidate.candidate_id, TrialOutcome(0.5, 1.0))
    with pytest.raises(ValueError, match="not outstanding"):
        core.tell(candidate.candidate_id, TrialOutcome(0.5, 1.0))
