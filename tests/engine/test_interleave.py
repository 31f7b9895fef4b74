"""Interleaver: several searches as one ask/tell source (an experiment matrix on one Tuner)."""

from __future__ import annotations

import pickle

import pytest

from autogets_ray.engine import FINISHED
from autogets_ray.engine.interleave import Interleaver, split_id
from autogets_ray.search import create_core
from tests.search.helpers import make_problem, synthetic_outcome


def _cores(max_candidates: int = 12) -> dict:
    return {
        "A-sw-cba": create_core("sw", make_problem(max_candidates=max_candidates), seed=1),
        "A-ga-oba": create_core("ga", make_problem(max_candidates=max_candidates), seed=2, population=6),
        "A-random-cr": create_core("random", make_problem(max_candidates=max_candidates), seed=3),
    }


def by_seconds(core):
    return core.projected_seconds


def drive(search, seconds: float = 1.0) -> list:
    asked = []
    while (item := search.ask()) is not FINISHED:
        assert item is not None, "a sequential driver never leaves trials outstanding"
        asked.append(item)
        search.tell(item.candidate_id, synthetic_outcome(item.proposal.example_ids, seconds))
    return asked


def test_each_search_proposes_what_its_core_proposes_alone():
    alone = {}
    for sid, core in _cores().items():
        alone[sid] = [item.proposal.example_ids for item in drive(Interleaver({sid: core}))]
    interleaved = Interleaver(
        _cores(), {sid: {"strategy": sid.split("-")[1]} for sid in alone}, priority=by_seconds
    )
    seen: dict[str, list] = {sid: [] for sid in alone}
    for item in drive(interleaved):
        sid, own_id = split_id(item.candidate_id)
        config = item.to_config()
        assert config["search_id"] == sid and config["strategy"] == sid.split("-")[1]
        assert config["candidate_id"] == own_id == item.own_id
        assert config["proposal_index"] == len(seen[sid])
        seen[sid].append(item.proposal.example_ids)
    assert seen == alone


def test_fair_share_by_projected_seconds_asks_the_search_with_the_least_retrain_time_first():
    search = Interleaver(_cores(), priority=by_seconds)
    first = search.ask()
    assert first.search_id == "A-sw-cba"  # all at 0 s: configuration order
    search.tell(first.candidate_id, synthetic_outcome(first.proposal.example_ids, seconds=5.0))
    second = search.ask()
    assert second.search_id == "A-ga-oba"
    search.tell(second.candidate_id, synthetic_outcome(second.proposal.example_ids, seconds=2.0))
    third = search.ask()
    assert third.search_id == "A-random-cr"
    search.tell(third.candidate_id, synthetic_outcome(third.proposal.example_ids, seconds=3.0))
    assert search.ask().search_id == "A-ga-oba"  # 2 s < 3 s < 5 s


def test_default_priority_shares_by_candidates_issued():
    search = Interleaver(_cores())
    owners = [search.ask().search_id for _ in range(6)]
    assert owners == ["A-sw-cba", "A-ga-oba", "A-random-cr"] * 2


def test_a_search_waiting_for_its_generation_leaves_the_slots_to_the_others():
    cores = {
        "ga": create_core("ga", make_problem(), seed=2, population=4),
        "sw": create_core("sw", make_problem(), seed=1),
    }
    search = Interleaver(cores)
    owners = [search.ask().search_id for _ in range(8)]  # nothing told: GA stops after its first generation
    assert owners.count("ga") == 4 and owners.count("sw") == 4
    assert cores["ga"].ask() is None  # GA is waiting, yet the interleaver still had work


def test_finished_only_when_every_search_is_and_each_is_reported_once():
    cores = {
        "a": create_core("random", make_problem(max_candidates=1), seed=0),
        "b": create_core("random", make_problem(max_candidates=3), seed=1),
    }
    search = Interleaver(cores)
    assert len(drive(search)) == 4 and search.ask() is FINISHED
    assert search.finished == ("a", "b")
    assert search.newly_finished() == ["a", "b"] and search.newly_finished() == []


def test_a_closed_search_is_asked_no_more():
    search = Interleaver(_cores())
    search.close("A-sw-cba")
    assert {search.ask().search_id for _ in range(4)} == {"A-ga-oba", "A-random-cr"}
    assert search.open_searches() == ["A-ga-oba", "A-random-cr"]


def test_pickled_mid_search_continues_identically():
    search = Interleaver(_cores(), priority=by_seconds)
    for _ in range(7):
        item = search.ask()
        search.tell(item.candidate_id, synthetic_outcome(item.proposal.example_ids))
    copy = pickle.loads(pickle.dumps(search))
    assert [c.to_config() for c in drive(copy)] == [c.to_config() for c in drive(search)]


def test_bad_ids_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="may not contain ':'"):
        Interleaver({"a:b": create_core("sw", make_problem(), seed=0)})
    with pytest.raises(ValueError, match="at least one"):
        Interleaver({})
    search = Interleaver(_cores())
    with pytest.raises(ValueError, match="belongs to none of the searches"):
        search.tell("nope:x", None)
    with pytest.raises(ValueError, match="names no search"):
        search.tell("plain-id", None)
