"""Alg. 3-5 on constructed inputs: class order, the chosen candidates, and the termination rules.

Additive fake: a step set's metrics are M0 plus the sum of its steps' deltas (tests.ensemble.helpers),
with ``overrides`` for the step sets where a scenario needs interactions.
"""

from __future__ import annotations

import pytest

from autogets_ray.ensemble.algorithms import r1, r1_order, r2, r2_order, r3, r3_order, run_requirement
from autogets_ray.ensemble.candidates import CandidatePool
from autogets_ray.ensemble.choosers import RandomChooser, SingleChooser
from autogets_ray.ensemble.knowledge import build_knowledge_base
from autogets_ray.ensemble.trace import step_columns
from tests.ensemble.helpers import CLASSES, FakeEvaluate, metrics, tables


@pytest.fixture
def kb():
    return build_knowledge_base(tables())


@pytest.fixture
def pool():
    return CandidatePool(tables().trials)


M0 = metrics({})


def chosen(run):
    return [s.candidate_id for s in run.steps]


def test_orders_come_from_the_knowledge_base(kb):
    assert r1_order(kb) == ["C", "B"]  # ascending size (A was not searched)
    assert r2_order(kb) == ["C", "B"]  # ΔOBA 0.04 > 0.03
    assert r3_order(kb, "C") == ["C", "B"]  # C's own 0.20, then B's +0.02 on C
    assert r3_order(kb, "B") == ["B"]  # C lowers B: not related
    assert r3_order(kb, "A") == []  # A was not searched and nothing improves it


def test_r1_lifts_classes_smallest_first_and_runs_out_of_classes(kb, pool):
    evaluate = FakeEvaluate()
    run = r1(kb, pool, M0, evaluate, threshold=0.8)
    assert chosen(run) == ["c1", "b1"]
    assert evaluate.calls == [["c1"], ["c2"], ["c1", "b1"], ["c1", "b2"]]  # 2 candidates of C, then of B
    assert run.termination.code == "order_exhausted"
    assert run.final["val_cba[C]"] == pytest.approx(0.82) and run.final["val_cba[B]"] == pytest.approx(0.77)
    frame = run.frame()
    assert list(frame.columns) == step_columns(CLASSES)
    assert frame["iteration"].tolist() == [0, 1, 2] and frame["accepted"].all()
    assert frame["applied_class"].tolist() == ["", "C", "B"]
    assert frame["n_synthetic"].tolist() == [0, 10, 20]


def test_r1_keeps_the_candidate_that_maintains_earlier_gains(kb, pool):
    # b1 lifts B most but leaves C only +0.05 of its +0.20 gain (< 50%); b2 keeps C's gain.
    evaluate = FakeEvaluate(overrides={frozenset({"c1", "b1"}): {"cba[C]": 0.05, "cba[B]": 0.10}})
    run = r1(kb, pool, M0, evaluate, threshold=0.8)
    assert chosen(run) == ["c1", "b2"]
    assert run.final["val_cba[C]"] == pytest.approx(0.80)


def test_r1_terminates_when_no_candidate_keeps_earlier_gains(kb, pool):
    evaluate = FakeEvaluate(
        overrides={
            frozenset({"c1", "b1"}): {"cba[C]": 0.05, "cba[B]": 0.10},
            frozenset({"c1", "b2"}): {"cba[C]": 0.09, "cba[B]": 0.05},
        }
    )
    run = r1(kb, pool, M0, evaluate, threshold=0.8)
    assert chosen(run) == ["c1"] and run.termination.code == "gains_not_kept"
    last = run.frame().iloc[-1]
    assert not last["accepted"] and last["candidate_id"] == "b1"  # the best improving candidate, refused
    assert run.final["val_cba[C]"] == pytest.approx(0.80)  # the ensemble stays at the accepted model


def test_r1_terminates_when_the_class_cannot_be_improved(kb, pool):
    evaluate = FakeEvaluate(
        overrides={frozenset({"c1"}): {"cba[C]": 0.0}, frozenset({"c2"}): {"cba[C]": -0.01}}
    )
    run = r1(kb, pool, M0, evaluate, threshold=0.8)
    assert run.steps == [] and run.termination.code == "no_improvement"
    assert run.frame()["accepted"].tolist() == [True, False]
    assert run.final == M0


def test_r1_skips_classes_already_above_the_threshold(kb, pool):
    # c1 also lifts B to 0.85 >= 0.8: B is not processed.
    evaluate = FakeEvaluate(overrides={frozenset({"c1"}): {"cba[C]": 0.20, "cba[B]": 0.10}})
    run = r1(kb, pool, M0, evaluate, threshold=0.8)
    assert chosen(run) == ["c1"] and run.termination.code == "order_exhausted"
    assert any(note.startswith("B:") for note in run.notes)
    assert r1(kb, pool, M0, FakeEvaluate(), threshold=0.5).steps == []  # nothing below 0.5
    assert any(
        n.startswith("A:") and "not searched" in n
        for n in r1(kb, pool, M0, FakeEvaluate(), threshold=0.95).notes
    )


def test_r2_follows_the_oba_effect_and_stops_when_oba_does_not_improve(kb, pool):
    run = r2(kb, pool, M0, FakeEvaluate())
    assert chosen(run) == ["c3", "b2"] and run.termination.code == "order_exhausted"
    assert run.final["val_oba"] == pytest.approx(0.87)

    evaluate = FakeEvaluate(
        overrides={frozenset({"c3", "b2"}): {"oba": -0.01}, frozenset({"c3", "b1"}): {"oba": 0.04}}
    )  # 0.84: not better
    run = r2(kb, pool, M0, evaluate)
    assert chosen(run) == ["c3"] and run.termination.code == "not_improved"
    assert run.frame()["candidate_id"].tolist() == ["", "c3", "b1"]
    assert run.final["val_oba"] == pytest.approx(0.84)


def test_r3_picks_the_candidate_best_for_the_important_class(kb, pool):
    run = r3(kb, pool, M0, FakeEvaluate(), important="C")
    assert chosen(run) == ["c1", "b1"] and run.final["val_cba[C]"] == pytest.approx(0.82)
    # b2 is ranked second by its recorded C CBA, but with c1 it lifts C most: it is chosen.
    run = r3(kb, pool, M0, FakeEvaluate(overrides={frozenset({"c1", "b2"}): {"cba[C]": 0.25}}), important="C")
    assert chosen(run) == ["c1", "b2"]


def test_r3_stops_when_the_important_class_does_not_improve(kb, pool):
    evaluate = FakeEvaluate(overrides={frozenset({"c1", "b1"}): {"cba[C]": 0.20}})  # no better than c1 alone
    run = r3(kb, pool, M0, evaluate, important="C")
    assert chosen(run) == ["c1"] and run.termination.code == "not_improved"
    assert run.frame()["accepted"].tolist() == [True, True, False]
    run = r3(kb, pool, M0, FakeEvaluate(), important="A")
    assert run.steps == [] and run.termination.code == "order_exhausted" and run.notes


def test_accepted_steps_never_lower_the_requirement_metric(kb, pool):
    runs = {
        "r1": r1(kb, pool, M0, FakeEvaluate(), threshold=1.0),
        "r2": r2(kb, pool, M0, FakeEvaluate()),
        "r3": r3(kb, pool, M0, FakeEvaluate(), important="C"),
    }
    for name, run in runs.items():
        accepted = run.frame().query("accepted")
        if name == "r1":
            for (_, before), (_, after) in zip(accepted.iloc[:-1].iterrows(), accepted.iloc[1:].iterrows()):
                key = f"val_cba[{after['applied_class']}]"
                assert after[key] > before[key]
        else:
            key = "val_oba" if name == "r2" else "val_cba[C]"
            assert accepted[key].is_monotonic_increasing


def test_comparisons_run_the_same_algorithm_with_other_choosers(kb, pool):
    runs = run_requirement("r3", kb, pool, M0, FakeEvaluate(), important="C", random_runs=2, seed=5)
    assert [r.method for r in runs] == ["ensemble", "single:ga-oba", "single:sw-cba", "random:5", "random:6"]
    single = runs[1]
    assert [s.search_id for s in single.steps][:1] == ["C-ga-oba"]
    again = run_requirement("r3", kb, pool, M0, FakeEvaluate(), important="C", random_runs=2, seed=5)
    for first, second in zip(runs, again):
        assert first.frame().equals(second.frame())  # seeded: the same choices
    assert len(run_requirement("r2", kb, pool, M0, FakeEvaluate(), compare=False)) == 1


def test_choosers(pool):
    assert SingleChooser(pool, "ga", "oba")("C", "cba").search_id == "C-ga-oba"
    assert SingleChooser(pool, "hsw", "oba")("C", "cba") is None
    first, second = RandomChooser(pool, 3), RandomChooser(pool, 3)
    picks = [first(c, "cba").search_id for c in "BCBCBC"]
    assert picks == [second(c, "cba").search_id for c in "BCBCBC"]
    assert all(p.startswith(c) for p, c in zip(picks, "BCBCBC"))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda kb, pool: r1(kb, pool, M0, FakeEvaluate(), threshold=1.5), "threshold must be in"),
        (lambda kb, pool: r1(kb, pool, M0, FakeEvaluate(), candidates=0), "candidates must be at least 1"),
        (
            lambda kb, pool: r2(kb, pool, M0, FakeEvaluate(), metric="cba"),
            "R2 metric must be one of oba, of1",
        ),
        (lambda kb, pool: r3(kb, pool, M0, FakeEvaluate(), important="Z"), "unknown class 'Z'"),
        (lambda kb, pool: run_requirement("r9", kb, pool, M0, FakeEvaluate()), "unknown requirement 'r9'"),
    ],
)
def test_bad_parameters_are_value_errors(kb, pool, call, message):
    with pytest.raises(ValueError, match=message):
        call(kb, pool)
