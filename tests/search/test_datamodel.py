"""The datamodel strategy: it recovers planted per-example effects and then proposes the helpful ones."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from autogets_ray.search import FINISHED, TrialOutcome, create_core
from autogets_ray.search.datamodel import fit_effects
from tests.search.helpers import drive_batches, make_problem

N = 40
HELPFUL = np.arange(0, 6)  # positions in the class's examples
HARMFUL = np.arange(6, 12)


def planted_effects() -> np.ndarray:
    effects = np.zeros(N)
    effects[HELPFUL], effects[HARMFUL] = 0.04, -0.04
    return effects


def planted_objective(problem, noise: float = 0.005, seed: int = 0):
    """objective = 0.6 + sum of the included examples' planted effects + Gaussian noise (seeded per subset)."""
    position = {int(e): i for i, e in enumerate(problem.example_ids)}
    effects = planted_effects()

    def evaluate(example_ids) -> TrialOutcome:
        rows = [position[int(e)] for e in example_ids]
        rng = np.random.default_rng([seed, *sorted(rows)])
        return TrialOutcome(0.6 + float(effects[rows].sum()) + noise * rng.standard_normal(), 1.0)

    return evaluate


def test_the_fit_recovers_planted_effects_from_random_subsets():
    rng = np.random.default_rng(0)
    X = (rng.random((150, N)) < 0.4).astype(float)
    y = 0.6 + X @ planted_effects() + 0.005 * rng.standard_normal(150)
    fit = fit_effects(X, y, ridge=1.0)
    assert np.corrcoef(fit.mean, planted_effects())[0, 1] > 0.95
    assert (fit.mean[HELPFUL] > 0).all() and (fit.mean[HARMFUL] < 0).all()
    assert (fit.sd > 0).all() and np.all(np.abs(fit.mean - planted_effects()) < 4 * fit.sd + 0.01)
    assert abs(float(fit.predict(X[:1])[0]) - y[0]) < 0.03


def test_the_search_learns_to_propose_the_helpful_examples_and_reports_their_effects():
    problem = make_problem(n=N, max_candidates=60)
    core = create_core("datamodel", problem, seed=3, initial=16, batch=4)
    batches = drive_batches(core, planted_objective(problem))
    position = {int(e): i for i, e in enumerate(problem.example_ids)}
    late = [c for batch in batches[-3:] for c in batch]
    helpful = np.mean([np.isin(HELPFUL, [position[e] for e in c.example_ids]).mean() for c in late])
    harmful = np.mean([np.isin(HARMFUL, [position[e] for e in c.example_ids]).mean() for c in late])
    assert helpful > 0.8 and harmful < 0.2
    best = core.best[1].objective
    assert best > 0.6 + 0.04 * 5  # at least five of the six helpful ones and (nearly) no harmful one
    effects = core.example_effects()
    assert list(effects.columns) == ["example_id", "effect", "effect_sd", "trials_with"]
    assert effects["example_id"].tolist() == problem.example_ids.tolist()
    top = effects.sort_values("effect", ascending=False)["example_id"].head(6)
    assert set(top) == {int(problem.example_ids[i]) for i in HELPFUL}
    predictions = core.predictions()
    assert predictions and all(np.isfinite(p["observed"]) for p in predictions)
    assert (
        np.corrcoef([p["predicted"] for p in predictions], [p["observed"] for p in predictions])[0, 1] > 0.5
    )


def test_the_order_results_arrive_in_does_not_change_the_proposals():
    problem = make_problem(n=N, max_candidates=40)
    evaluate = planted_objective(problem)

    def forward(core):
        proposed = []
        while (item := core.ask()) is not FINISHED:
            batch = [item]
            while (more := core.ask()) not in (None, FINISHED):
                batch.append(more)
            for candidate in batch:  # in order, where drive_batches tells in reverse
                core.tell(candidate.candidate_id, evaluate(candidate.example_ids))
            proposed += [c.example_ids for c in batch]
            if more is FINISHED:
                break
        return proposed

    reverse = [
        c.example_ids for b in drive_batches(create_core("datamodel", problem, seed=1), evaluate) for c in b
    ]
    assert forward(create_core("datamodel", problem, seed=1)) == reverse


def test_a_pickled_search_continues_identically():
    problem = make_problem(n=N, max_candidates=40)
    evaluate = planted_objective(problem)
    core = create_core("datamodel", problem, seed=2, initial=8, batch=3)
    for _ in range(12):  # through the first fit
        item = core.ask()
        core.tell(item.candidate_id, evaluate(item.example_ids))
    copy = pickle.loads(pickle.dumps(core))
    rest = [[c.example_ids for c in b] for b in drive_batches(core, evaluate)]
    assert [[c.example_ids for c in b] for b in drive_batches(copy, evaluate)] == rest


@pytest.mark.parametrize(
    "options, message",
    [
        ({"rule": "best"}, "rule must be one of"),
        ({"initial": 1}, "initial must be >= 2"),
        ({"ridge": 0}, "ridge"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        create_core("datamodel", make_problem(n=N, max_candidates=10), seed=0, **options)
    with pytest.raises(ValueError, match="finite budget_seconds or max_candidates"):
        create_core("datamodel", make_problem(n=N), seed=0)
