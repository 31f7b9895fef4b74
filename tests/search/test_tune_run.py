"""A real Ray Tune run of every strategy through CoreSearcher (local Ray, 2 CPUs)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.search import FINISHED
from autogets_ray.search.tune_searcher import CoreSearcher
from tests.search.helpers import make_problem

ray = pytest.importorskip("ray")
from ray import tune  # noqa: E402

SMALL = {
    "sw": {"segments": 4, "window": 2},                 # 9 windows
    "hsw": {"levels": (4, 2), "pairs": [(0, 1)]},      # 9 + 4 windows at most
    "ga": {"population": 4, "generations": 2},          # 12 trials at most (budget: ~6)
    "random": {},                                       # until the budget
}
BUDGET = 6.0


def make_trainable():
    """A stand-in retrain: a known score of the subset, 1 'retrain second' per trial.

    Built in a function so cloudpickle ships it by value (workers need not import the tests).
    """

    def trainable(config):
        ids = np.asarray(config["example_ids"], dtype=float)
        score = float(1.0 - ids.mean() / 1000.0 - 0.002 * len(ids))
        tune.report({"objective": score, "retrain_seconds": 1.0, "val_accuracy": score,
                     "val_cr[A]": round(score, 1), "val_cr[B]": 0.5, "subset_size": len(ids)})

    return trainable


@pytest.fixture(scope="module")
def local_ray():
    patch = pytest.MonkeyPatch()
    patch.setenv("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")  # no CSV/JSON/TensorBoard files per trial
    # address="local": never join a cluster another test started with `ray start`
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()
    patch.undo()


@pytest.mark.slow
@pytest.mark.parametrize("strategy", sorted(SMALL))
def test_tuner_runs_each_strategy_to_finished(local_ray, tmp_path, strategy):
    problem = make_problem(n=40, budget_seconds=BUDGET)
    searcher = CoreSearcher.for_strategy(strategy, problem, seed=0, metric="objective", **SMALL[strategy])
    tuner = tune.Tuner(
        make_trainable(),
        tune_config=tune.TuneConfig(search_alg=searcher, num_samples=-1, reuse_actors=True,
                                    max_concurrent_trials=2),
        run_config=tune.RunConfig(name=strategy, storage_path=str(tmp_path), verbose=0),
    )
    results = tuner.fit()
    core = searcher.core
    assert results.num_errors == 0 and len(results) == core.n_issued == len(core.history)
    assert core.ask() is FINISHED and core.finish_reason in ("budget", "space")
    assert BUDGET <= core.spent_seconds <= BUDGET + 2 or core.finish_reason == "space"
    best = results.get_best_result(metric="objective", mode="max")
    assert best.config["candidate_id"] == core.best[0].candidate_id
    assert best.metrics["objective"] == pytest.approx(core.best[1].objective)
    assert core.best[1].metrics["cr[A]"] == round(core.best[1].objective, 1)
    assert math.isfinite(core.history[-1].best_objective)
    saved = CoreSearcher.for_strategy(strategy, problem, seed=99, **SMALL[strategy])
    saved.restore_from_dir(str(tmp_path / strategy))  # the state Tune checkpointed for a resume
    assert saved.core.best == core.best and saved.core.n_issued == core.n_issued
