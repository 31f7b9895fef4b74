"""NSGA-II's fronts, crowding distance and survivor selection on constructed points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.search.genetic.pareto import (
    crowding_distance,
    dominates,
    non_dominated_fronts,
    nsga2_survivors,
)

POINTS = np.array(
    [
        [1.0, 5.0],  # 0 front 0
        [2.0, 4.0],  # 1 front 0
        [3.0, 3.0],  # 2 front 0
        [2.0, 2.0],  # 3 front 1 (dominated by 1 and 2)
        [1.0, 1.0],  # 4 front 2
        [3.0, 3.0],  # 5 front 0 (equal to 2: neither dominates)
        [0.5, 4.5],  # 6 front 1 (dominated by 0)
        [math.nan, 9.0],  # 7 a failed trial on objective 0: worst there, still best on objective 1
    ]
)


def test_dominance_needs_one_strict_improvement():
    assert dominates(np.array([2.0, 2.0]), np.array([2.0, 1.0]))
    assert not dominates(np.array([2.0, 2.0]), np.array([2.0, 2.0]))
    assert not dominates(np.array([3.0, 1.0]), np.array([1.0, 3.0]))


def test_fronts_are_exact():
    assert non_dominated_fronts(POINTS) == [[0, 1, 2, 5, 7], [3, 6], [4]]
    assert non_dominated_fronts(np.empty((0, 2))) == []


def test_crowding_distance_by_hand():
    front = np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 3.0], [4.0, 0.0]])
    distance = crowding_distance(front)
    assert np.isinf(distance[0]) and np.isinf(distance[3])
    # point 1: (3 - 1) / 3 on objective 0, (5 - 3) / 5 on objective 1
    assert distance[1] == pytest.approx(2 / 3 + 2 / 5)
    assert distance[2] == pytest.approx(2 / 3 + 4 / 5)
    assert np.isinf(crowding_distance(front[:2])).all()


def test_survivors_take_whole_fronts_then_the_least_crowded():
    assert nsga2_survivors(POINTS, 5) == [0, 1, 2, 5, 7]
    assert nsga2_survivors(POINTS, 7) == [0, 1, 2, 5, 7, 3, 6]
    kept = nsga2_survivors(POINTS[:6], 2)  # front 0 of the first six is 0, 1, 2, 5: keep its extremes
    assert kept == [0, 2]
    assert nsga2_survivors(POINTS, 100) == [0, 1, 2, 5, 7, 3, 6, 4]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="individuals, objectives"):
        non_dominated_fronts(np.array([1.0, 2.0]))


def test_ranks_and_crowded_tournament():
    from autogets_ray.search.genetic.pareto import crowded_tournament, front_ranks

    rank, distance = front_ranks(POINTS)
    assert rank.tolist() == [0, 0, 0, 1, 2, 0, 1, 0]
    assert np.isinf(distance[[0, 7]]).all()
    # a tournament of everybody: the lowest front, then the largest distance, then the lower index
    rng = np.random.default_rng(0)
    winners = {crowded_tournament(rank, distance, rng, size=50) for _ in range(20)}
    assert winners <= {0, 7} and 0 in winners
    with pytest.raises(ValueError, match="empty"):
        crowded_tournament(np.array([]), np.array([]), rng)
