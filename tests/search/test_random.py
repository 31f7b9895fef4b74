"""The random baseline: size distributions, budget-driven end."""

from __future__ import annotations

import math

import pytest

from autogets_ray.search import RandomSubsetCore, SlidingWindowCore
from tests.search.helpers import drive, make_problem


def test_uniform_sizes_cover_1_to_n():
    asked = drive(RandomSubsetCore(make_problem(n=10, max_candidates=150), seed=0))
    assert len(asked) == 150
    assert {len(c.example_ids) for c in asked} == set(range(1, 11))
    assert all(c.info["size"] == len(c.example_ids) for c in asked)
    assert [c.candidate_id for c in asked[:2]] == ["random-0000", "random-0001"]


def test_sizes_matched_to_the_sliding_windows():
    problem = make_problem(n=60, max_candidates=40)
    window_sizes = {len(c.example_ids) for c in SlidingWindowCore(problem).candidates()}
    asked = drive(RandomSubsetCore(problem, seed=1, sizes="sw"))
    assert {len(c.example_ids) for c in asked} <= window_sizes


def test_explicit_sizes():
    asked = drive(RandomSubsetCore(make_problem(n=20, max_candidates=30), seed=2, sizes=[2, 5]))
    assert {len(c.example_ids) for c in asked} == {2, 5}


@pytest.mark.parametrize("sizes", [[0, 3], [21], [], "big"])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError):
        RandomSubsetCore(make_problem(n=20, max_candidates=3), sizes=sizes)


def test_needs_a_finite_budget_or_a_candidate_limit():
    with pytest.raises(ValueError, match="finite budget_seconds or max_candidates"):
        RandomSubsetCore(make_problem(budget_seconds=math.inf))


def test_a_spent_space_finishes_the_search():
    core = RandomSubsetCore(make_problem(n=3, budget_seconds=1e9), seed=0)
    asked = drive(core)
    assert len(asked) == 7 and core.finish_reason == "space"  # 2^3 - 1 distinct subsets
