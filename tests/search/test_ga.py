"""The GA core: generations as batches, elitism, robustness (paper Alg. 2)."""

from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.search import FINISHED, GeneticCore, TrialOutcome
from autogets_ray.search.genetic import decode
from tests.search.helpers import drive_batches, make_problem, synthetic_outcome


def test_each_generation_is_one_batch_and_the_next_waits():
    core = GeneticCore(make_problem(n=30), seed=1, population=6, generations=2)
    generation0 = list(iter(core.ask, None))
    assert [c.candidate_id for c in generation0] == [f"ga-g0-i{i:02d}" for i in range(len(generation0))]
    assert len(generation0) <= 6
    for c in generation0[:-1]:
        core.tell(c.candidate_id, synthetic_outcome(c.example_ids))
    assert core.ask() is None
    core.tell(generation0[-1].candidate_id, synthetic_outcome(generation0[-1].example_ids))
    assert core.ask().info["generation"] == 1


def test_generations_run_to_the_limit_then_finish():
    core = GeneticCore(make_problem(n=30), seed=1, population=6, generations=3)
    batches = drive_batches(core)
    assert [e["generation"] for e in core.generation_log] == [0, 1, 2, 3]
    assert {c.info["generation"] for b in batches for c in b} <= {0, 1, 2, 3}
    assert core.finish_reason == "space" and core.ask() is FINISHED
    best = [e["best_fitness"] for e in core.generation_log]
    assert best == sorted(best)  # elitism never loses the best subset
    assert best[-1] == core.best[1].objective


def test_individuals_decode_to_their_candidates_and_parents_are_recorded():
    problem = make_problem(n=30)
    core = GeneticCore(problem, seed=2, population=6, generations=2)
    drive_batches(core)
    population = core.current_population
    assert len(population) == 6
    for individual in population:
        assert individual.candidate.example_ids == problem.subset(decode(individual.chromosome))
        assert individual.chromosome.min() >= 1 and individual.chromosome.max() <= 30
    children = [i for i in population if i.candidate.info["generation"] > 0]
    assert all(len(i.candidate.info["parents"]) == 2 for i in children)


def test_subsets_are_about_half_the_class():
    core = GeneticCore(make_problem(n=40), seed=0)
    sizes = [c.info["size"] for c in iter(core.ask, None)]
    assert len(sizes) == 20 and all(12 <= s <= 28 for s in sizes)


def test_errored_generation_does_not_stop_the_search():
    calls = iter(range(10_000))

    def flaky(example_ids):
        return None if next(calls) < 6 else synthetic_outcome(example_ids)

    core = GeneticCore(make_problem(n=30), seed=3, population=6, generations=3)
    drive_batches(core, flaky)
    assert core.generation_log[0]["valid"] == 0 and core.generation_log[-1]["valid"] > 0
    assert core.best is not None


def test_nan_fitness_is_never_selected_as_best():
    def nan_for_large(example_ids):
        return synthetic_outcome(example_ids) if len(example_ids) < 15 else TrialOutcome(float("nan"), 1.0)

    core = GeneticCore(make_problem(n=30), seed=4, population=8, generations=3)
    drive_batches(core, nan_for_large)
    if core.best is not None:
        assert len(core.best[0].example_ids) < 15


@pytest.mark.parametrize(
    "params",
    [
        {"population": 1},
        {"crossover_rate": 1.5},
        {"lexicase_share": -0.1},
        {"mutation_rate": 2.0},
        {"tournament_size": 0},
    ],
)
def test_bad_parameters(params):
    with pytest.raises(ValueError):
        GeneticCore(make_problem(), **params)


def test_single_example_class_still_finishes():
    core = GeneticCore(make_problem(n=1), population=4, generations=3)
    assert len(drive_batches(core)) == 1 and core.finish_reason == "space"
    assert np.array_equal(core.best[0].example_ids, (100,))
