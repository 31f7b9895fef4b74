"""The recommendation: a search's candidate only when it beats M0 and the best baseline beyond noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.experiment.decision import KEEP_M0, Scored, beats, best_of, difference_se, recommend

SE = 0.01  # the holdout standard error of every constructed value below
M0 = Scored("m0", 0.70, se=SE)


def test_a_candidate_better_than_m0_and_every_baseline_is_recommended():
    best = Scored("sw-17", 0.76, se=SE)
    baselines = [
        Scored("m0", 0.70, se=SE),
        Scored("all-examples", 0.72, se=SE),
        Scored("duplicate", 0.71, se=SE),
    ]
    decision = recommend(best, M0, baselines)
    assert (decision.choice, decision.kind, decision.best_baseline) == ("sw-17", "search", "all-examples")
    assert decision.baseline == ""
    assert "beats M0 by +0.0600" in decision.reason and "all-examples by +0.0400" in decision.reason


def test_a_gain_within_noise_keeps_m0():
    decision = recommend(Scored("ga-3", 0.705, se=SE), M0, [Scored("duplicate", 0.702, se=SE)])
    assert (decision.choice, decision.kind) == (KEEP_M0, "m0")
    assert "does not beat M0 beyond noise" in decision.reason and "no baseline beats M0" in decision.reason
    # the same gain counts once the margin is small enough: 0.005 > 0.25 * 0.01
    assert recommend(Scored("ga-3", 0.705, se=SE), M0, margin_se=0.25).choice == "ga-3"


def test_a_candidate_worse_than_m0_keeps_m0():
    decision = recommend(Scored("ga-3", 0.60, se=SE), M0, [Scored("all-examples", 0.65, se=SE)])
    assert decision.choice == KEEP_M0 and decision.best_baseline == "all-examples"


def test_beating_m0_but_not_the_best_baseline_recommends_the_baseline():
    best = Scored("sw-2", 0.80, se=SE)
    baselines = [Scored("duplicate", 0.74, se=SE), Scored("all-examples", 0.795, se=SE)]
    decision = recommend(best, M0, baselines)
    assert (decision.choice, decision.kind, decision.baseline) == (
        "use-all-examples",
        "baseline",
        "all-examples",
    )
    assert "does not beat all-examples beyond noise" in decision.reason


def test_a_baseline_within_noise_of_m0_is_not_recommended_either():
    # the candidate beats M0 (0.012 > 0.01) but not the baseline, which itself does not beat M0
    decision = recommend(Scored("sw-2", 0.712, se=SE), M0, [Scored("duplicate", 0.705, se=SE)])
    assert decision.choice == KEEP_M0


def test_no_candidate_falls_back_to_baselines_then_m0():
    assert recommend(None, M0, [Scored("class-weight", 0.75, se=SE)]).choice == "use-class-weight"
    decision = recommend(None, M0)
    assert decision.choice == KEEP_M0 and "finished no candidate" in decision.reason


def test_the_m0_row_among_baselines_is_not_a_baseline():
    # a baselines table holds M0's own row; it must not be chosen as "use-m0"
    decision = recommend(Scored("sw-1", 0.70, se=SE), M0, [Scored("m0", 0.90, se=SE)])
    assert decision.choice == KEEP_M0 and decision.best_baseline == ""


def test_candidates_that_all_tie_m0_keep_m0():
    folds = (0.6, 0.8, 0.7, 0.9, 0.5)
    m0 = Scored("m0", float(np.mean(folds)), folds)
    candidates = [Scored(f"sw-{i}", m0.value, folds) for i in range(4)]
    best = best_of(candidates)
    assert best.name == "sw-0"
    assert difference_se(best, m0) == 0.0  # identical folds
    for margin in (0.0, 1.0):  # a gain must be strictly larger than the margin, even a zero one
        assert recommend(best, m0, margin_se=margin).choice == KEEP_M0
    holdout = [Scored(f"ga-{i}", M0.value, se=SE) for i in range(3)]
    assert recommend(best_of(holdout), M0, margin_se=0.0).choice == KEEP_M0


def test_paired_fold_errors_cancel_a_common_fold_effect():
    folds = np.array([0.50, 0.90, 0.60, 0.80, 0.70])  # large fold-to-fold variation, shared by both
    a = Scored("a", float(np.mean(folds + 0.02)), tuple(folds + 0.02))
    b = Scored("b", float(np.mean(folds)), tuple(folds))
    assert difference_se(a, b) == pytest.approx(0.0, abs=1e-12)
    assert beats(a, b, margin_se=3.0) and not beats(b, a, margin_se=0.0)
    # the same values without the pairing: each one's own fold error, far larger than the gain
    unpaired_se = float(np.std(folds, ddof=1) / math.sqrt(len(folds)))
    assert unpaired_se > 0.05
    a_alone = Scored("a", a.value, se=unpaired_se)
    assert difference_se(a_alone, b) == pytest.approx(unpaired_se)
    assert not beats(a_alone, b, margin_se=1.0)
    assert recommend(a, b).choice == "a" and recommend(a_alone, b).choice == KEEP_M0


def test_difference_se_falls_back_to_the_first_choices_error():
    paired = Scored("a", 0.7, (0.6, 0.8), se=0.2)
    # folds of another length cannot be paired: a's own standard error
    assert difference_se(paired, Scored("b", 0.6, (0.5, 0.6, 0.7))) == 0.2
    assert difference_se(Scored("a", 0.7), Scored("b", 0.6)) == 0.0  # none known
    assert (
        difference_se(Scored("a", 0.7, (0.7,), se=0.03), Scored("b", 0.6, (0.6,))) == 0.03
    )  # one fold: holdout


def test_beats_needs_finite_values():
    assert not beats(Scored("a", math.nan), M0, 0.0)
    assert not beats(M0, Scored("b", math.nan), 0.0)
    assert beats(Scored("a", 0.70001), M0, 0.0) and not beats(Scored("a", 0.70), M0, 0.0)


def test_best_of_ties_go_to_the_earliest_and_nan_is_skipped():
    choices = [Scored("x", math.nan), Scored("first", 0.8), Scored("second", 0.8), Scored("low", 0.5)]
    assert best_of(choices).name == "first"
    assert best_of(list(reversed(choices))).name == "second"
    assert best_of([]) is None and best_of([Scored("x", math.nan)]) is None


def test_a_negative_margin_is_an_error():
    with pytest.raises(ValueError, match=r"evaluation\.margin_se must be >= 0"):
        recommend(Scored("a", 0.8), M0, margin_se=-1.0)
