"""The Pareto GA (NSGA-II selection over the GA's operators) on constructed two-objective problems."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from autogets_ray.errors import UserInputError
from autogets_ray.metrics import hypervolume
from autogets_ray.search import TrialOutcome, create_core
from autogets_ray.search.genetic import non_dominated_fronts
from autogets_ray.search.pareto_ga import create_pareto_core
from tests.search.helpers import drive_batches, make_problem

N = 30
OBJECTIVES = ["cr", "oba"]
KEYS = ("cr[A]", "oba")


def two_objectives(problem, seed: int):
    """Each example adds a fixed (drawn) amount to each objective: the objectives conflict for some."""
    weights = np.random.default_rng(seed).normal(size=(N, 2))
    position = {int(e): i for i, e in enumerate(problem.example_ids)}

    def evaluate(example_ids) -> TrialOutcome:
        values = weights[[position[int(e)] for e in example_ids]].sum(axis=0) / 5
        return TrialOutcome(float(values[0]), 1.0, dict(zip(KEYS, map(float, values))))

    return evaluate


def points(batches, evaluate) -> np.ndarray:
    return np.array([[evaluate(c.example_ids).metrics[k] for k in KEYS] for b in batches for c in b])


def pareto_core(problem, seed: int, **options):
    options = {"population": 10, "selection": 10, "generations": 20, **options}
    return create_pareto_core("ga", problem, seed, OBJECTIVES, **options)


def test_the_front_dominates_random_subsets_of_the_same_budget():
    wins, ratios = 0, []
    for seed in range(10):
        problem = make_problem(n=N, max_candidates=100)
        evaluate = two_objectives(problem, seed)
        pareto = points(drive_batches(pareto_core(problem, seed), evaluate), evaluate)
        random = points(
            drive_batches(create_core("random", make_problem(n=N, max_candidates=100), seed), evaluate),
            evaluate,
        )
        assert len(pareto) <= len(random) == 100  # never more trials than random gets
        ours, theirs = hypervolume(pareto, (0.0, 0.0)), hypervolume(random, (0.0, 0.0))
        wins += ours > theirs
        ratios.append(ours / theirs)
    assert wins >= 7 and np.mean(ratios) > 1.5


def test_survivors_are_the_non_dominated_subsets_first():
    problem = make_problem(n=N)  # ends after its generations (the last survival included)
    evaluate = two_objectives(problem, 3)
    core = pareto_core(problem, 3, population=8, selection=8, generations=4)
    drive_batches(core, evaluate)
    assert core.finish_reason == "space" and [e["generation"] for e in core.generation_log] == [0, 1, 2, 3, 4]
    every = [p for p in core.history if p.outcome is not None]
    values = np.array([[p.outcome.metrics[k] for k in KEYS] for p in every])
    overall_front = {every[i].candidate_id for i in non_dominated_fronts(values)[0]}
    survivors = {i.candidate.candidate_id for i in core.current_population}
    assert len(overall_front) <= core.population and overall_front <= survivors
    assert core.generation_log[-1]["front_size"] == len(overall_front)


def test_same_seed_same_candidates_and_a_pickled_search_continues_identically():
    problem = make_problem(n=N, max_candidates=50)
    evaluate = two_objectives(problem, 1)
    first = [[c.example_ids for c in b] for b in drive_batches(pareto_core(problem, 5), evaluate)]
    assert [[c.example_ids for c in b] for b in drive_batches(pareto_core(problem, 5), evaluate)] == first
    core = pareto_core(problem, 5)
    for _ in range(15):  # past the first generation
        item = core.ask()
        if item is None:
            break
        core.tell(item.candidate_id, evaluate(item.example_ids))
    copy = pickle.loads(pickle.dumps(core))
    rest = [[c.example_ids for c in b] for b in drive_batches(core, evaluate)]
    assert [[c.example_ids for c in b] for b in drive_batches(copy, evaluate)] == rest


def test_a_failed_trial_is_the_worst_point():
    problem = make_problem(n=N, max_candidates=30)
    evaluate = two_objectives(problem, 2)
    core = pareto_core(problem, 2, population=6, selection=6)
    failures = []

    def sometimes_failing(ids):
        if len(failures) < 3:
            failures.append(ids)
            return TrialOutcome(float("nan"), 1.0, {})
        return evaluate(ids)

    drive_batches(core, sometimes_failing)
    assert np.isneginf(core.point(tuple(sorted(failures[0])))).all()


@pytest.mark.parametrize(
    "objectives, message",
    [
        (["cr"], "2 or 3 distinct objectives"),
        (["cr", "cr"], "distinct"),
        (["cr", "oba", "cba", "of1"], "2 or 3"),
    ],
)
def test_objectives_are_checked(objectives, message):
    with pytest.raises(UserInputError, match=message):
        create_pareto_core("ga", make_problem(n=N), 0, objectives)


def test_unknown_parameters_and_strategies_are_refused():
    with pytest.raises(UserInputError, match="unknown parameter"):
        create_pareto_core("ga", make_problem(n=N), 0, OBJECTIVES, populaton=4)
    with pytest.raises(UserInputError, match="multi-objective"):
        create_pareto_core("sw", make_problem(n=N), 0, OBJECTIVES)
