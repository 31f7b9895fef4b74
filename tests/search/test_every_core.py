"""Properties every strategy must have: seeded determinism, budget, errors, pickle round trip."""

from __future__ import annotations

import copy
import math
import pickle

import pytest

from autogets_ray.search import FINISHED, STRATEGIES, TrialOutcome, create_core
from tests.search.helpers import drive, drive_batches, make_problem, synthetic_outcome

SMALL = {
    "sw": {"segments": 8, "window": 2},
    "hsw": {},
    "ga": {"population": 6, "generations": 3},
    "random": {},
    "datamodel": {"initial": 6, "batch": 3},
}


def build(strategy, seed=0, **options):
    options.setdefault("max_candidates", 60)
    return create_core(strategy, make_problem(n=50, **options), seed=seed, **SMALL[strategy])


def trace(batches):
    return [(c.candidate_id, c.example_ids) for batch in batches for c in batch]


def test_every_registered_strategy_is_covered():
    assert sorted(SMALL) == STRATEGIES.names()


@pytest.mark.parametrize("strategy", sorted(SMALL))
def test_same_seed_and_outcomes_give_the_same_candidates(strategy):
    first = trace(drive_batches(build(strategy, seed=5)))
    assert first == trace(drive_batches(build(strategy, seed=5)))
    assert len({ids for _, ids in first}) == len(first)  # no subset is retrained twice


@pytest.mark.parametrize("strategy", ["ga", "random", "datamodel"])
def test_another_seed_gives_other_candidates(strategy):
    assert trace(drive_batches(build(strategy, seed=1))) != trace(drive_batches(build(strategy, seed=2)))


@pytest.mark.parametrize("strategy", sorted(SMALL))
def test_budget_exhaustion_finishes(strategy):
    core = build(strategy, budget_seconds=7.0, max_candidates=None)
    drive(core, lambda ids: synthetic_outcome(ids, seconds=2.0))
    assert core.finish_reason == "budget" and core.ask() is FINISHED
    assert 7.0 <= core.spent_seconds and core.history[-2].spent_seconds < 7.0


@pytest.mark.parametrize("strategy", sorted(SMALL))
def test_errored_and_nan_trials_do_not_stop_the_search(strategy):
    counter = iter(range(100_000))

    def unreliable(example_ids):
        i = next(counter)
        if i % 3 == 0:
            return None
        if i % 3 == 1:
            return TrialOutcome(math.nan, 1.0)
        return synthetic_outcome(example_ids)

    core = build(strategy)
    drive_batches(core, unreliable)
    told = core.history
    assert len(told) > 6 and sum(p.outcome is None for p in told) >= 2
    assert core.best is not None and math.isfinite(core.best[1].objective)
    assert core.best[1].objective == max(
        p.outcome.objective for p in told if p.outcome is not None and p.outcome.valid
    )


@pytest.mark.parametrize("strategy", sorted(SMALL))
@pytest.mark.parametrize("clone", [lambda c: pickle.loads(pickle.dumps(c)), copy.deepcopy])
def test_round_trip_mid_search_continues_identically(strategy, clone):
    core = build(strategy, seed=3)
    asked = [core.ask() for _ in range(4)]  # mid-batch, with outstanding trials
    for c in asked[:2]:
        core.tell(c.candidate_id, synthetic_outcome(c.example_ids))
    twin = clone(core)
    assert twin.pending == core.pending == tuple(c.candidate_id for c in asked[2:])
    for c in asked[2:]:
        core.tell(c.candidate_id, synthetic_outcome(c.example_ids))
        twin.tell(c.candidate_id, synthetic_outcome(c.example_ids))
    assert trace(drive_batches(twin)) == trace(drive_batches(core))
    assert twin.best == core.best and twin.history == core.history
