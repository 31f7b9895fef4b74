"""JournaledSearcher without a Tuner: suggest/complete, failures, and replaying a journal."""

from __future__ import annotations

import numpy as np
import pytest
from ray.tune.search import Searcher

from autogets_ray.engine.interleave import Interleaver
from autogets_ray.engine.journal import TrialJournal
from autogets_ray.engine.searcher import JournaledSearcher, SearchHooks
from autogets_ray.errors import UserInputError
from autogets_ray.search import create_core, outcome_from_result
from tests.search.helpers import make_problem


def decode(result):
    return outcome_from_result(result, "objective")


def report(config, objective=None):
    ids = np.asarray(config["example_ids"], dtype=float)
    value = float(1.0 - ids.mean() / 1000.0 - 0.002 * len(ids)) if objective is None else objective
    return {
        "objective": value,
        "retrain_seconds": 1.0,
        "val_oba": value,
        "candidate_id": config["candidate_id"],
        "config": config,
    }


class Recorder(SearchHooks):
    def __init__(self):
        self.told, self.finished = [], []

    def on_told(self, search_id, core, result, replayed):
        self.told.append((search_id, replayed))

    def on_finished(self, search_id, core, reason):
        self.finished.append((search_id, reason))


def make_searcher(journal_path, max_candidates=12, hooks=None, strategies=("hsw", "ga", "random")):
    cores = {
        f"A-{s}": create_core(
            s,
            make_problem(n=40, max_candidates=max_candidates),
            seed=i,
            **({"population": 4} if s == "ga" else {}),
        )
        for i, s in enumerate(strategies)
    }
    return JournaledSearcher(Interleaver(cores), TrialJournal(journal_path), decode, "objective", hooks)


def run(searcher, stop_after=None, concurrent=3, rng=None, objective=None):
    """Drive like Tune: keep up to ``concurrent`` trials out, complete them in a shuffled order."""
    rng = rng or np.random.default_rng(0)
    running, done, n = {}, 0, 0
    while True:
        while len(running) < concurrent:
            config = searcher.suggest(f"t{n}")
            if config is None or config == Searcher.FINISHED:
                break
            running[f"t{n}"] = config
            n += 1
        if not running:
            return done
        trial_id = list(running)[int(rng.integers(len(running)))]
        searcher.on_trial_complete(trial_id, report(running.pop(trial_id), objective))
        done += 1
        if stop_after is not None and done == stop_after:
            return done


def outcomes(searcher):
    return {
        sid: sorted((k, o.objective) for k, o in core._outcomes.items())
        for sid, core in searcher.interleaver.cores.items()
    }


def test_a_replayed_journal_gives_the_uninterrupted_result_and_trains_nothing_twice(tmp_path):
    whole = make_searcher(tmp_path / "whole.jsonl")
    run(whole, rng=np.random.default_rng(1))
    cut = make_searcher(tmp_path / "cut.jsonl")
    run(cut, stop_after=11, rng=np.random.default_rng(2))  # then the driver dies: 3 trials were running
    cut.journal.close()
    hooks = Recorder()
    resumed = make_searcher(tmp_path / "cut.jsonl", hooks=hooks)
    ran = run(resumed, rng=np.random.default_rng(3))
    assert resumed.replayed == 11
    assert ran == len(whole.journal.entries("trial")) - 11
    assert resumed.journal.retrained() == []
    assert outcomes(resumed) == outcomes(whole)
    for sid, core in resumed.interleaver.cores.items():
        assert core.best[0] == whole.interleaver.cores[sid].best[0]
        assert core.n_issued == whole.interleaver.cores[sid].n_issued
    assert sum(replayed for _, replayed in hooks.told) == 11
    assert sorted(sid for sid, _ in hooks.finished) == ["A-ga", "A-hsw", "A-random"]


def test_ties_go_to_the_candidate_proposed_first_whatever_the_arrival_order(tmp_path):
    bests = set()
    for seed in range(4):
        searcher = make_searcher(tmp_path / f"{seed}.jsonl", max_candidates=6, strategies=("random",))
        run(searcher, rng=np.random.default_rng(seed), concurrent=6, objective=0.5)
        core = searcher.interleaver.cores["A-random"]
        bests.add(core.best[0].candidate_id)
    first = make_searcher(tmp_path / "x.jsonl", strategies=("random",)).interleaver.cores["A-random"].ask()
    assert bests == {first.candidate_id}


def test_failures_are_journaled_and_not_retried_and_stopped_trials_are_not_journaled(tmp_path):
    searcher = make_searcher(tmp_path / "j.jsonl", max_candidates=3, strategies=("random",))
    configs = [searcher.suggest(f"t{i}") for i in range(3)]
    searcher.on_trial_complete("t0", None, error=True)
    searcher.on_trial_complete("t1", {"trial_id": "t1"})  # stopped while running: no objective
    searcher.on_trial_complete("t2", report(configs[2]))
    searcher.on_trial_complete("t-unknown", report(configs[2]))  # not ours: ignored
    entries = searcher.journal.entries("trial")
    assert [(e["candidate_id"], e["status"]) for e in entries] == [
        (configs[0]["candidate_id"], "error"),
        (configs[2]["candidate_id"], "ok"),
    ]
    searcher.journal.close()
    again = make_searcher(tmp_path / "j.jsonl", max_candidates=3, strategies=("random",))
    assert again.suggest("u0")["candidate_id"] == configs[1]["candidate_id"]  # only the stopped one reruns
    assert again.suggest("u1") == Searcher.FINISHED  # max_candidates: 2 replayed + 1 rerun
    assert again.replayed == 2


def test_a_journal_of_another_configuration_is_refused(tmp_path):
    searcher = make_searcher(tmp_path / "j.jsonl", strategies=("random",))
    run(searcher, stop_after=2)
    searcher.journal.close()
    other = JournaledSearcher(
        Interleaver({"A-random": create_core("random", make_problem(n=40, max_candidates=12), seed=99)}),
        TrialJournal(tmp_path / "j.jsonl"),
        decode,
        "objective",
    )
    with pytest.raises(UserInputError, match="another configuration"):
        run(other)


def test_closed_searches_stay_closed_on_a_rerun(tmp_path):
    searcher = make_searcher(tmp_path / "j.jsonl", strategies=("random", "ga"))
    run(searcher, stop_after=3)
    assert searcher.close_open("wall_clock") == ["A-random", "A-ga"]
    searcher.journal.close()
    hooks = Recorder()
    again = make_searcher(tmp_path / "j.jsonl", strategies=("random", "ga"), hooks=hooks)
    assert again.suggest("x") == Searcher.FINISHED
    assert hooks.finished == [("A-random", "wall_clock"), ("A-ga", "wall_clock")]
