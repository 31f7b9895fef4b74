"""run_searches: a real Ray Tune run of every strategy through the engine (local Ray, 2 CPUs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.engine import FINISHED
from autogets_ray.engine.interleave import Interleaver
from autogets_ray.engine.journal import TrialJournal
from autogets_ray.engine.run import run_searches
from autogets_ray.engine.searcher import JournaledSearcher
from autogets_ray.progress import Progress
from autogets_ray.search import create_core, outcome_from_result
from tests.conftest import start_local_ray
from tests.search.helpers import make_problem

ray = pytest.importorskip("ray")
from ray import tune  # noqa: E402

SMALL = {
    "sw": {"segments": 4, "window": 2},  # 9 windows
    "hsw": {"levels": (4, 2), "pairs": [(0, 1)]},  # 9 + 4 windows at most
    "ga": {"population": 4, "generations": 2},  # 12 trials at most (budget: ~6)
    "random": {},  # until the budget
}
BUDGET = 6.0


def make_trainable():
    """A stand-in retrain: a known score of the subset, 1 'retrain second' per trial.

    Built in a function so cloudpickle ships it by value (workers need not import the tests).
    """

    def trainable(config):
        ids = np.asarray(config["example_ids"], dtype=float)
        score = float(1.0 - ids.mean() / 1000.0 - 0.002 * len(ids))
        tune.report(
            {
                "objective": score,
                "retrain_seconds": 1.0,
                "val_accuracy": score,
                "val_cr[A]": round(score, 1),
                "val_cr[B]": 0.5,
                "subset_size": len(ids),
                "candidate_id": config["candidate_id"],
            }
        )

    return trainable


@pytest.fixture(scope="module")
def local_ray():
    patch = pytest.MonkeyPatch()
    patch.setenv("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")  # no CSV/JSON/TensorBoard files per trial
    # address="local": never join a cluster another test started with `ray start`
    start_local_ray(num_cpus=2)
    yield
    ray.shutdown()
    patch.undo()


def searcher_for(strategies, tmp_path):
    cores = {
        s: create_core(s, make_problem(n=40, budget_seconds=BUDGET), seed=0, **SMALL[s]) for s in strategies
    }
    return JournaledSearcher(
        Interleaver(cores),
        TrialJournal(tmp_path / "journal.jsonl"),
        lambda r: outcome_from_result(r, "objective"),
        "objective",
    )


def run_all(searcher, tmp_path):
    return run_searches(
        make_trainable(),
        searcher,
        name="all",
        storage_path=str(tmp_path / "ray"),
        max_concurrent_trials=2,
        progress=Progress(enabled=False),
    )


@pytest.mark.slow
def test_every_strategy_runs_to_finished_on_one_tuner_and_a_rerun_trains_nothing(local_ray, tmp_path):
    searcher = searcher_for(sorted(SMALL), tmp_path)
    run = run_all(searcher, tmp_path)
    assert not run.interrupted and run.replayed == 0
    for strategy, core in searcher.interleaver.cores.items():
        assert core.ask() is FINISHED and core.finish_reason in ("budget", "space")
        assert BUDGET <= core.spent_seconds <= BUDGET + 2 or core.finish_reason == "space"
        assert len(core.history) == core.n_issued
        assert core.best[1].metrics["cr[A]"] == round(core.best[1].objective, 1)
        assert math.isfinite(core.history[-1].best_objective)
    entries = searcher.journal.entries("trial")
    assert (
        run.ran
        == len(entries)
        == len(run.grid)
        == sum(c.n_issued for c in searcher.interleaver.cores.values())
    )
    best = run.grid.get_best_result(metric="objective", mode="max")
    assert best.metrics["objective"] == pytest.approx(
        max(c.best[1].objective for c in searcher.interleaver.cores.values())
    )

    again = searcher_for(sorted(SMALL), tmp_path)
    rerun = run_all(again, tmp_path)
    assert rerun.ran == 0 and rerun.replayed == len(entries) and rerun.grid is None
    for strategy, core in again.interleaver.cores.items():
        assert core.best[0] == searcher.interleaver.cores[strategy].best[0]
    assert again.journal.retrained() == []
