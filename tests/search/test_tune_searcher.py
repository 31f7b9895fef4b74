"""CoreSearcher: the Ray Tune adapter, unit-tested without Ray, then in a real Tuner run."""
from __future__ import annotations

import math

import numpy as np
import pytest
from ray.tune.search import Searcher

from autogets_ray.search import SlidingWindowCore, TrialOutcome, create_core, outcome_from_result
from autogets_ray.search.tune_searcher import CoreSearcher
from tests.search.helpers import make_problem


def result_for(example_ids, objective=None, seconds=1.0):
    value = 1.0 - float(np.mean(example_ids)) / 1000.0 if objective is None else objective
    return {"objective": value, "retrain_seconds": seconds, "val_oba": value, "val_cr[A]": 0.5,
            "test_oba": 0.1, "config/candidate_id": "x", "done": True}


def test_outcome_from_result_keeps_prefixed_validation_metrics():
    outcome = outcome_from_result(
        {"objective": 0.7, "retrain_seconds": 2.5, "val_oba": 0.9, "val_cr[Access]": 0.4,
         "test_oba": 0.1, "val_note": "text", "n_synthetic": 10}, "objective")
    assert outcome == TrialOutcome(0.7, 2.5, {"oba": 0.9, "cr[Access]": 0.4})


@pytest.mark.parametrize("result", [{}, {"objective": "n/a"}, {"objective": None, "retrain_seconds": -3}])
def test_outcome_from_an_incomplete_result_is_nan_and_free(result):
    outcome = outcome_from_result(result, "objective")
    assert math.isnan(outcome.objective) and outcome.retrain_seconds == 0.0


def test_suggest_and_complete_drive_the_core():
    searcher = CoreSearcher(SlidingWindowCore(make_problem(max_candidates=3)), metric="objective")
    assert searcher.set_search_properties("objective", "max", {}) is True
    configs = [searcher.suggest(f"t{i}") for i in range(3)]
    twin = SlidingWindowCore(make_problem(max_candidates=3))
    assert [c["candidate_id"] for c in configs] == [twin.ask().candidate_id for _ in range(3)]
    assert all(isinstance(i, int) for i in configs[0]["example_ids"])
    assert configs[0]["info"]["strategy"] == "sw"
    assert searcher.suggest("t3") == Searcher.FINISHED
    searcher.on_trial_complete("t0", result_for(configs[0]["example_ids"], objective=0.3))
    searcher.on_trial_complete("t1", None, error=True)
    searcher.on_trial_complete("t2", result_for(configs[2]["example_ids"], objective=math.nan))
    searcher.on_trial_complete("t-unknown", result_for([1]))  # not ours: ignored
    core = searcher.core
    assert core.best[0].candidate_id == "sw-p0.1-w0" and core.best[1].metrics["oba"] == 0.3
    assert [p.outcome is None for p in core.history] == [False, True, False]
    assert searcher.best_objective == 0.3


def test_barrier_strategies_answer_none_while_waiting():
    searcher = CoreSearcher.for_strategy("ga", make_problem(n=30), seed=0, population=4, generations=1)
    configs = {f"t{i}": searcher.suggest(f"t{i}") for i in range(4)}
    assert searcher.suggest("t4") is None
    for trial_id, config in configs.items():
        searcher.on_trial_complete(trial_id, result_for(config["example_ids"]))
    assert searcher.suggest("t5")["info"]["generation"] == 1


def test_save_and_restore_mid_search_continue_identically(tmp_path):
    def fresh():
        return CoreSearcher(create_core("hsw", make_problem(n=60), seed=1, pairs=[(0, 1)]), "objective")

    searcher = fresh()
    configs = {f"t{i}": searcher.suggest(f"t{i}") for i in range(5)}
    for trial_id in ("t0", "t1"):
        searcher.on_trial_complete(trial_id, result_for(configs[trial_id]["example_ids"]))
    searcher.save(str(tmp_path / "state.pkl"))
    restored = fresh()
    restored.restore(str(tmp_path / "state.pkl"))
    for s in (searcher, restored):
        for trial_id in ("t2", "t3", "t4"):
            s.on_trial_complete(trial_id, result_for(configs[trial_id]["example_ids"]))

    def rest(s):
        out, i = [], 100
        while (config := s.suggest(f"t{i}")) != Searcher.FINISHED:
            if config is None:
                raise AssertionError("sequential completion never leaves trials outstanding")
            s.on_trial_complete(f"t{i}", result_for(config["example_ids"]))
            out.append(config["candidate_id"])
            i += 1
        return out

    assert rest(restored) == rest(searcher)
    assert restored.core.best == searcher.core.best


def test_factory_construction_and_mode_checks():
    searcher = CoreSearcher(SlidingWindowCore, core_kwargs={"problem": make_problem(), "segments": 8})
    assert searcher.core.segments == 8 and searcher.metric == "objective" and searcher.mode == "max"
    with pytest.raises(ValueError, match="mode must be 'max'"):
        CoreSearcher(SlidingWindowCore(make_problem()), mode="min")
    with pytest.raises(ValueError, match="mode must be 'max'"):
        CoreSearcher(SlidingWindowCore(make_problem())).set_search_properties(None, "min", {})
    with pytest.raises(ValueError, match="SearchCore"):
        CoreSearcher(lambda: "not a core")
