"""Hierarchical Sliding Window: narrowing, plateau stop, plots in turn (paper Alg. 1)."""

from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.search import FINISHED, HierarchicalWindowCore, TrialOutcome, create_core
from tests.search.helpers import drive_batches, make_problem


def near_point_scorer(problem, point=(1.0, -0.5)):
    """Objective: minus the mean distance of the subset's points (plot 0-1) to ``point``."""
    position = {int(r): i for i, r in enumerate(problem.example_ids)}

    def evaluate(example_ids):
        xy = problem.coords[[position[r] for r in example_ids]][:, :2]
        return TrialOutcome(-float(np.linalg.norm(xy - np.array(point), axis=1).mean()), 1.0)

    return evaluate


def constant(value):
    return lambda example_ids: TrialOutcome(value, 1.0)


def inside(inner, outer) -> bool:
    eps = 1e-12
    return (
        outer[0] - eps <= inner[0] <= inner[1] <= outer[1] + eps
        and outer[2] - eps <= inner[2] <= inner[3] <= outer[3] + eps
    )


def test_the_best_window_becomes_the_next_levels_area():
    problem = make_problem(n=200)
    core = HierarchicalWindowCore(problem, pairs=[(0, 1)])
    batches = drive_batches(core, near_point_scorer(problem))
    log = core.level_log
    assert [entry["level"] for entry in log] == [0, 1, 2]
    assert [entry["stop"] for entry in log] == [None, None, "last level"]
    assert [len(b) for b in batches] == [entry["windows"] for entry in log] == [25, 9, 4]
    for level, (entry, batch) in enumerate(zip(log, batches)):
        assert {c.candidate_id.rsplit("-w", 1)[0] for c in batch} == {f"hsw-p0.1-l{level}"}
        best = next(c for c in batch if c.candidate_id == entry["best_window"])
        assert entry["best_objective"] == max(core.score(c.key) for c in batch) == core.score(best.key)
        if level + 1 < len(log):
            assert log[level + 1]["area"] == entry["best_rect"] == best.info["rect"]
            assert all(inside(c.info["rect"], entry["best_rect"]) for c in batches[level + 1])
    assert log[0]["best_objective"] < log[1]["best_objective"] < log[2]["best_objective"]
    assert core.best[1].objective == log[2]["best_objective"]


def test_level_windows_are_half_the_levels_segments():
    problem = make_problem(n=200)
    core = HierarchicalWindowCore(problem, pairs=[(0, 1)])
    batches = drive_batches(core, near_point_scorer(problem))
    assert [{(c.info["segments"], c.info["window_segments"]) for c in b} for b in batches] == [
        {(8, 4)},
        {(4, 2)},
        {(2, 1)},
    ]


def test_plateau_stops_a_plot_and_moves_to_the_next_pair():
    core = HierarchicalWindowCore(make_problem(n=200))  # k=3: plots (0,1), (0,2), (1,2)
    drive_batches(core, constant(0.5))
    assert [(tuple(e["pair"]), e["level"], e["stop"]) for e in core.level_log] == [
        ((0, 1), 0, None),
        ((0, 1), 1, "plateau"),
        ((0, 2), 0, None),
        ((0, 2), 1, "plateau"),
        ((1, 2), 0, None),
        ((1, 2), 1, "plateau"),
    ]
    assert core.finish_reason == "space"
    assert not any("-l2-" in point.candidate_id for point in core.history)


def test_a_level_without_any_valid_result_stops_the_plot():
    core = HierarchicalWindowCore(make_problem(n=100), pairs=[(0, 1), (1, 2)])
    drive_batches(core, constant(float("nan")))
    assert [(e["pair"], e["level"], e["stop"]) for e in core.level_log] == [
        ([0, 1], 0, "no valid result"),
        ([1, 2], 0, "no valid result"),
    ]
    assert core.best is None


def test_the_next_level_waits_for_every_result_of_the_current_one():
    core = create_core("hsw", make_problem(n=200), pairs=[(0, 1)])
    level0 = list(iter(core.ask, None))
    assert len(level0) == 25
    for c in level0[:-1]:
        core.tell(c.candidate_id, TrialOutcome(0.1, 1.0))
    assert core.ask() is None
    core.tell(level0[-1].candidate_id, TrialOutcome(0.9, 1.0))
    following = core.ask()
    assert following.info["level"] == 1 and core.level_log[0]["best_window"] == level0[-1].candidate_id


def test_windows_repeating_an_evaluated_subset_reuse_its_score():
    problem = make_problem(n=6)  # few points: deeper levels repeat level-0 subsets
    core = HierarchicalWindowCore(problem, pairs=[(0, 1)])
    batches = drive_batches(core, near_point_scorer(problem))
    asked = [c for b in batches for c in b]
    assert len({c.key for c in asked}) == len(asked)
    assert sum(e["windows"] for e in core.level_log) > len(asked)


@pytest.mark.parametrize(
    "params", [{"levels": []}, {"levels": (8, 4), "windows": (4,)}, {"levels": (4,), "windows": (5,)}]
)
def test_bad_levels_are_value_errors(params):
    with pytest.raises(ValueError):
        HierarchicalWindowCore(make_problem(), **params)


def test_finished_after_the_last_plot():
    core = HierarchicalWindowCore(make_problem(n=50), pairs=[(0, 1)], levels=(2,))
    drive_batches(core, constant(0.1))
    assert core.ask() is FINISHED and len(core.level_log) == 1
