"""InterleavedSearch: several searches as one ask/tell source (the experiment matrix on one Tuner)."""
from __future__ import annotations

import pickle

import pytest

from autogets_ray.search import FINISHED, InterleavedSearch, create_core
from tests.search.helpers import drive, make_problem, synthetic_outcome


def _cores(max_candidates: int = 12) -> dict:
    return {
        "A-sw-cba": create_core("sw", make_problem(max_candidates=max_candidates), seed=1),
        "A-ga-oba": create_core("ga", make_problem(max_candidates=max_candidates), seed=2, population=6),
        "A-random-cr": create_core("random", make_problem(max_candidates=max_candidates), seed=3),
    }


def test_each_search_proposes_what_its_core_proposes_alone():
    alone = {sid: [c.example_ids for c in drive(core)] for sid, core in _cores().items()}
    interleaved = InterleavedSearch(_cores(), {sid: {"strategy": sid.split("-")[1]} for sid in alone})
    seen: dict[str, list] = {sid: [] for sid in alone}
    for candidate in drive(interleaved):
        sid, _, own_id = candidate.candidate_id.partition(":")
        config = candidate.to_config()
        assert config["search_id"] == sid and config["strategy"] == sid.split("-")[1]
        assert config["candidate_id"] == candidate.candidate_id and own_id
        seen[sid].append(candidate.example_ids)
    assert seen == alone


def test_fair_share_asks_the_search_with_the_least_retrain_time_first():
    search = InterleavedSearch(_cores())
    first = search.ask()
    assert first.candidate_id.startswith("A-sw-cba:")  # all at 0 s: configuration order
    search.tell(first.candidate_id, synthetic_outcome(first.example_ids, seconds=5.0))
    second = search.ask()
    assert second.candidate_id.startswith("A-ga-oba:")
    search.tell(second.candidate_id, synthetic_outcome(second.example_ids, seconds=2.0))
    third = search.ask()
    assert third.candidate_id.startswith("A-random-cr:")
    search.tell(third.candidate_id, synthetic_outcome(third.example_ids, seconds=3.0))
    assert search.ask().candidate_id.startswith("A-ga-oba:")  # 2 s < 3 s < 5 s


def test_a_search_waiting_for_its_generation_leaves_the_slots_to_the_others():
    cores = {"ga": create_core("ga", make_problem(), seed=2, population=4),
             "sw": create_core("sw", make_problem(), seed=1)}
    search = InterleavedSearch(cores)
    asked = [search.ask() for _ in range(8)]  # nothing told: GA stops after its first generation
    owners = [c.candidate_id.split(":")[0] for c in asked]
    assert owners.count("ga") == 4 and owners.count("sw") == 4
    assert cores["ga"].ask() is None  # GA is waiting, yet the interleaver still had work


def test_finished_only_when_every_search_is_and_each_is_reported_once():
    cores = {"a": create_core("random", make_problem(max_candidates=1), seed=0),
             "b": create_core("random", make_problem(max_candidates=3), seed=1)}
    search = InterleavedSearch(cores)
    asked = drive(search)
    assert len(asked) == 4 and search.ask() is FINISHED
    assert search.finished == ("a", "b")
    assert search.newly_finished() == ["a", "b"] and search.newly_finished() == []


def test_save_and_restore_mid_search_continue_identically():
    search = InterleavedSearch(_cores())
    for _ in range(7):
        candidate = search.ask()
        search.tell(candidate.candidate_id, synthetic_outcome(candidate.example_ids))
    copy = pickle.loads(pickle.dumps(search))
    assert [c.to_config() for c in drive(copy)] == [c.to_config() for c in drive(search)]


def test_bad_ids_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="may not contain ':'"):
        InterleavedSearch({"a:b": create_core("sw", make_problem(), seed=0)})
    with pytest.raises(ValueError, match="at least one"):
        InterleavedSearch({})
    search = InterleavedSearch(_cores())
    with pytest.raises(ValueError, match="belongs to none of the searches"):
        search.tell("nope:x", None)
