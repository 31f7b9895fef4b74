"""Window geometry and the Sliding Window core (paper §3.3.1, App. B.2.1)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autogets_ray.encoding.areas import Area
from autogets_ray.search import FINISHED, SearchProblem, SlidingWindowCore, create_core
from autogets_ray.search.windows import (
    pair_area,
    resolve_area_kind,
    resolve_pairs,
    sliding_windows,
    window_members,
    window_starts,
)
from tests.search.helpers import drive, ids, make_problem

DIAGONAL = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0], [4.0, 4.0]])


def diagonal_problem(**options) -> SearchProblem:
    """Four target points on the diagonal (row ids 10..13) plus two far-away other-class points."""
    others = np.array([[-4.0, 10.0], [10.0, -4.0]])
    return SearchProblem(
        "A", np.arange(10, 14), DIAGONAL, np.vstack([DIAGONAL, others]), {"A": 4, "B": 2}, **options
    )


def test_window_rectangles_follow_the_segment_grid():
    windows = sliding_windows(Area(0.0, 16.0, 0.0, 8.0), segments=4, window=2, stride=1)
    assert len(windows) == 9
    rects = [(w.rect.x0, w.rect.x1, w.rect.y0, w.rect.y1) for w in windows]
    assert rects[:4] == [(0, 8, 0, 4), (0, 8, 2, 6), (0, 8, 4, 8), (4, 12, 0, 4)]
    assert rects[-1] == (8, 16, 4, 8)
    assert [(w.index, w.column, w.row) for w in windows[3:5]] == [(3, 1, 0), (4, 1, 1)]


def test_paper_defaults_give_13_by_13_windows():
    assert len(sliding_windows(Area(0, 1, 0, 1), 16, 4)) == 169


def test_stride_keeps_a_last_window_at_the_far_edge():
    assert window_starts(5, 2, 2) == [0, 2, 3]
    assert window_starts(8, 4, 4) == [0, 4]


@pytest.mark.parametrize("segments, window, stride", [(0, 1, 1), (4, 5, 1), (4, 0, 1), (4, 2, 0)])
def test_bad_geometry_is_a_value_error(segments, window, stride):
    with pytest.raises(ValueError):
        window_starts(segments, window, stride)


def test_points_per_window_with_inclusive_edges():
    windows = sliding_windows(Area(0.0, 16.0, 0.0, 8.0), segments=4, window=2)
    points = np.array([[1.0, 1.0], [4.0, 2.0], [15.0, 7.0], [8.0, 4.0]])
    members = window_members(windows, points)
    assert members[0].tolist() == [0, 1, 3]  # (8, 4) sits on the corner of window 0
    assert members[8].tolist() == [2, 3]
    assert members[2].tolist() == [3]


def test_topic_minmax_and_full_size_areas():
    problem = diagonal_problem()
    topic = pair_area(problem, (0, 1), "TopicMinMax")
    assert (topic.x0, topic.x1) == pytest.approx((-0.02, 4.02))
    full = pair_area(problem, (0, 1), "full-size")
    assert (full.x0, full.x1, full.y0, full.y1) == pytest.approx((-4.07, 10.07, -4.07, 10.07))
    with pytest.raises(ValueError, match="unknown area"):
        resolve_area_kind("whole-plot")


def test_pairs_default_to_every_pair_of_the_leading_components():
    assert resolve_pairs(None, None, 3) == [(0, 1), (0, 2), (1, 2)]
    assert resolve_pairs(None, 2, 4) == [(0, 1)]
    for bad in ([(0, 0)], [(0, 3)], []):
        with pytest.raises(ValueError):
            resolve_pairs(bad, None, 3)


def test_sw_skips_empty_windows():
    core = SlidingWindowCore(diagonal_problem(), segments=4, window=1)
    assert ids(drive(core)) == ["sw-p0.1-w0", "sw-p0.1-w5", "sw-p0.1-w10", "sw-p0.1-w15"]
    assert core.finish_reason == "space"
    assert core.history[1].outcome is not None


def test_sw_skips_windows_repeating_an_earlier_subset():
    core = SlidingWindowCore(diagonal_problem(), segments=4, window=3)
    first = core.ask()
    assert (first.candidate_id, first.example_ids) == ("sw-p0.1-w0", (10, 11, 12))
    ids = [first.candidate_id] + [c.candidate_id for c in iter(core.ask, FINISHED)]
    assert ids == ["sw-p0.1-w0", "sw-p0.1-w1", "sw-p0.1-w3"]  # w2 holds the same points as w1


def test_sw_queues_every_window_at_once_and_config_is_json():
    core = create_core("sw", make_problem(), seed=0, pairs=[(0, 1), (1, 2)])
    asked = list(iter(core.ask, FINISHED))
    assert len(asked) == len({c.key for c in asked}) > 50
    assert {tuple(c.info["pair"]) for c in asked} == {(0, 1), (1, 2)}
    config = json.loads(json.dumps(asked[0].to_config()))
    assert config["info"]["strategy"] == "sw" and config["example_ids"] == list(asked[0].example_ids)
