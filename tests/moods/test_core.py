"""The MOODS outer loop (Alg. 1) driven with constructed F1 sequences, no model, no Ray."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from autogets_ray.moods.core import StepResult, MoodsCore, MoodsSettings
from autogets_ray.moods.metrics import BinaryF1

N_FEATURES = 3


def make_core(**settings) -> MoodsCore:
    """The paper's Alg. 1 (K = 1, strict rule) unless ``settings`` say otherwise."""
    y = np.array([1] * 10 + [0] * 90)
    settings = {"steps_per_round": 1, "acceptance": "f1-both", **settings}
    return MoodsCore(y, N_FEATURES, MoodsSettings(**settings), seed=7)


def result(candidate, f1, f1_m, n_synthetic=2, loss=1.0) -> StepResult:
    score = BinaryF1(f1, f1_m, 2 * f1 - f1_m)
    return StepResult(
        candidate.candidate_id, score, loss, score, np.full((n_synthetic, N_FEATURES), 0.5), np.zeros(3)
    )


def play(core, scores):
    """Feed one (f1, f1_m[, loss]) per round (the first is S_0); returns the acceptance flags."""
    flags = []
    for f1, f1_m, *loss in scores:
        batch = core.propose()
        assert len(batch) == 1
        flags.append(core.observe([result(batch[0], f1, f1_m, loss=loss[0] if loss else 1.0)]))
    return flags


def test_start_state_is_all_minority_and_half_as_many_majority():
    core = make_core()
    assert len(core.minority_idx) == 10
    assert len(core.state.majority_idx) == 5  # ceil(10 / 2), Alg. 1 line 1
    start = core.propose()
    assert len(start) == 1 and len(start[0].add_majority) == 0 and not start[0].synthesize


def test_acceptance_on_a_constructed_sequence():
    core = make_core()
    flags = play(core, [(0.60, 0.40), (0.70, 0.50), (0.72, 0.50), (0.80, 0.45), (0.75, 0.55), (0.74, 0.56)])
    # S_0, both up, minority tie, trade-off, both up, overall down
    assert flags == [False, True, False, False, True, False]
    assert core.accepted == 2
    assert core.state.val == BinaryF1(0.75, 0.55, 0.95)
    assert [h.accepted for h in core.history] == [True, True, False, False, True, False]


def test_accept_grows_the_set_and_m_k_reject_shrinks_m_k():
    core = make_core()
    play(core, [(0.5, 0.5)])
    m0, majority0 = core.m_k, len(core.state.majority_idx)
    batch = core.propose()
    core.observe([result(batch[0], 0.6, 0.6, n_synthetic=4)])
    assert len(core.state.majority_idx) == majority0 + m0
    assert len(core.state.synthetic) == 4
    assert not core.in_pool[batch[0].add_majority].any()
    assert core.m_k == m0 + 1
    play(core, [(0.1, 0.1), (0.1, 0.1)])
    assert core.m_k == m0 - 1


def test_doubling_growth_doubles_m_k_on_accept_halves_it_on_reject_and_can_exhaust_the_pool():
    core = make_core(majority_growth="doubling", max_accepted=40, max_candidates=40)
    play(core, [(0.5, 0.5)])
    m0 = core.m_k
    sizes = []
    for score in (0.55, 0.6, 0.65):
        batch = core.propose()
        sizes.append(len(batch[0].add_majority))
        core.observe([result(batch[0], score, score)])
    assert sizes == [m0, 2 * m0, 4 * m0]
    assert core.m_k == 8 * m0
    play(core, [(0.1, 0.1)])
    assert core.m_k == 4 * m0
    while not core.finished:  # keep accepting: the draws take what is left of the pool
        batch = core.propose()
        core.observe([result(batch[0], 0.7 + 0.001 * core.round, 0.7 + 0.001 * core.round)])
    assert core.stop_reason == "pool exhausted"
    assert len(core.state.majority_idx) == 90
    assert core.accepted < 8  # log-many steps; the paper's +1 needs about 10 for these 90 rows


def test_rejection_halves_p_of_the_drawn_majority_rows():
    core = make_core(rejection="halve-drawn-majority")
    play(core, [(0.5, 0.5)])
    batch = core.propose()
    drawn = batch[0].add_majority
    core.observe([result(batch[0], 0.4, 0.4)])
    pool = np.flatnonzero(core.in_pool)
    others = np.setdiff1d(pool, drawn)
    assert np.allclose(core.p[drawn], 0.5) and np.allclose(core.p[others], 1.0)
    assert core.in_pool[drawn].all()  # rejected rows stay in the pool
    assert np.all(core.p[~core.in_pool] == 0)


def test_uniform_rule_leaves_p_alone():
    core = make_core(rejection="uniform")
    play(core, [(0.5, 0.5), (0.4, 0.4)])
    pool = np.flatnonzero(core.in_pool)
    assert np.allclose(core.p[pool], 1.0)


def test_halving_steers_draws_away_from_rejected_rows():
    hits = {"halve-drawn-majority": 0, "uniform": 0}
    for rule in hits:
        for seed in range(40):
            core = MoodsCore(
                np.array([1] * 4 + [0] * 40),
                N_FEATURES,
                MoodsSettings(steps_per_round=1, rejection=rule),
                seed=seed,
            )
            play(core, [(0.5, 0.5)])
            first = core.propose()[0]
            core.observe([result(first, 0.1, 0.1)])
            second = core.propose()[0]
            hits[rule] += len(np.intersect1d(first.add_majority, second.add_majority))
    assert hits["halve-drawn-majority"] < hits["uniform"]


def test_k_candidates_from_one_state_accept_the_best_improving_one():
    core = make_core(steps_per_round=3)
    play_start = core.propose()
    core.observe([result(play_start[0], 0.5, 0.5)])
    batch = core.propose()
    assert len(batch) == 3 and {c.state_version for c in batch} == {0}
    core.observe([result(batch[0], 0.60, 0.55), result(batch[1], 0.90, 0.40), result(batch[2], 0.70, 0.60)])
    assert core.state.val.f1 == 0.70  # batch[1] has the best F1 but a worse minority F1
    assert core.accepted == 1
    assert core.evaluations == 4


def test_stops_on_candidate_budget_and_on_patience():
    core = make_core(max_candidates=4)
    play(core, [(0.5, 0.5), (0.6, 0.6), (0.1, 0.1), (0.7, 0.7)])
    assert core.propose() == [] and core.finished and core.stop_reason == "max_candidates"
    core = make_core(patience=2)
    play(core, [(0.5, 0.5), (0.1, 0.1), (0.1, 0.1)])
    assert core.finished and core.stop_reason == "patience"


def test_results_must_match_the_open_round():
    core = make_core()
    batch = core.propose()
    bogus = result(batch[0], 0.5, 0.5)
    bogus.candidate_id = 99
    with pytest.raises(ValueError, match="open round"):
        core.observe([bogus])


def test_core_survives_pickle_mid_round_and_stays_deterministic():
    a, b = make_core(), make_core()
    play(a, [(0.5, 0.5)])
    play(b, [(0.5, 0.5)])
    a_batch = a.propose()
    a2 = pickle.loads(pickle.dumps(a))
    b_batch = b.propose()
    assert np.array_equal(a_batch[0].add_majority, b_batch[0].add_majority)
    a2.observe([result(a_batch[0], 0.6, 0.6)])
    assert a2.accepted == 1 and a.accepted == 0


def test_mubo_acceptance_uses_validation_loss():
    core = make_core(acceptance="val-loss", synthetic=False)
    start = core.propose()[0]
    core.observe([result(start, 0.5, 0.5, loss=0.9)])
    step = core.propose()[0]
    assert not step.synthesize
    core.observe([result(step, 0.1, 0.1, loss=0.8)])
    assert core.accepted == 1


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="steps_per_round"):
        MoodsSettings(steps_per_round=0)
    with pytest.raises(ValueError, match="rejection rule"):
        MoodsSettings(rejection="nope")
    with pytest.raises(ValueError, match="majority growth 'nope'; choose one of: doubling, paper"):
        MoodsSettings(majority_growth="nope")


def test_pareto_loss_rule_accepts_dominating_steps_and_loss_reducing_ties():
    core = make_core(acceptance="f1-pareto-loss")
    flags = play(
        core,
        [
            (0.60, 0.40, 1.0),
            (0.70, 0.50, 1.2),
            (0.72, 0.50, 1.3),
            (0.72, 0.50, 1.1),
            (0.72, 0.50, 1.1),
            (0.80, 0.45, 0.1),
            (0.71, 0.55, 0.1),
        ],
    )
    # S_0, both up (loss ignored), F1 up with F1_m tied, exact tie with lower loss, exact tie with
    # the same loss, trade-off (F1_m down), F1 down
    assert flags == [False, True, True, True, False, False, False]
    assert core.state.val == BinaryF1(0.72, 0.50, 0.94) and core.state.val_loss == 1.1


def test_strict_rule_rejects_what_the_pareto_rule_accepts():
    sequence = [(0.60, 0.40, 1.0), (0.70, 0.40, 0.9), (0.70, 0.40, 0.5)]
    assert play(make_core(acceptance="f1-both"), sequence) == [False, False, False]
    assert play(make_core(acceptance="f1-pareto-loss"), sequence) == [False, True, True]


def test_strict_rule_stops_once_validation_is_perfect():
    core = make_core(acceptance="f1-both")
    play(core, [(0.5, 0.5), (1.0, 1.0)])
    assert core.propose() == [] and core.stop_reason == "validation perfect"
    core = make_core(acceptance="f1-pareto-loss")  # a tie with a lower loss can still be accepted
    play(core, [(0.5, 0.5, 1.0), (1.0, 1.0, 0.5)])
    assert len(core.propose()) == 1 and not core.finished


def test_defaults_are_two_steps_per_round_and_the_pareto_rule():
    settings = MoodsSettings()
    assert (settings.steps_per_round, settings.acceptance) == (2, "f1-pareto-loss")
    core = MoodsCore(np.array([1] * 10 + [0] * 90), N_FEATURES, settings, seed=0)
    core.observe([result(core.propose()[0], 0.5, 0.5)])
    assert len(core.propose()) == 2


def test_mubo_gets_k1_and_as_many_rounds_as_moods():
    from autogets_ray.moods.baselines import mubo_settings

    mubo = mubo_settings(MoodsSettings(steps_per_round=2, max_candidates=60, patience=10))
    assert (mubo.steps_per_round, mubo.max_candidates, mubo.patience) == (1, 30, 10)
    assert (mubo.synthetic, mubo.acceptance) == (False, "val-loss")
    assert mubo_settings(MoodsSettings(steps_per_round=3, max_candidates=7)).max_candidates == 3


def _rows_result(candidate, minority, majority, f1=0.8, f1_m=0.6) -> StepResult:
    from autogets_ray.moods.metrics import RowLosses

    out = result(candidate, f1, f1_m)
    out.val_rows = RowLosses(np.asarray(minority, float), np.asarray(majority, float))
    return out


def test_loss_se_accepts_a_real_improvement_and_rejects_one_inside_the_noise():
    rng = np.random.default_rng(0)
    core = make_core(acceptance="loss-se", steps_per_round=1)
    base_min, base_maj = rng.uniform(0.5, 1.5, 4), rng.uniform(0.0, 0.4, 60)
    start = core.propose()[0]
    core.observe([_rows_result(start, base_min, base_maj)])
    # noise: the minority rows' losses move by +-0.6 around a mean change of -0.05
    noisy = base_min + np.array([-0.65, 0.55, -0.6, 0.5])
    assert not core.observe([_rows_result(core.propose()[0], noisy, base_maj)])
    # a real improvement: every minority row's loss falls by about 0.3
    better = base_min - 0.3 + rng.normal(0, 0.02, 4)
    assert core.observe([_rows_result(core.propose()[0], better, base_maj)])
    # the same loss gain with a worse validation F1 is refused: the paper's objectives constrain
    step = core.propose()[0]
    assert not core.observe([_rows_result(step, better - 0.3, base_maj, f1=0.79)])
    assert [h.accepted for h in core.history] == [True, False, True, False]


def test_loss_se_is_registered_with_the_cli_choices():
    from autogets_ray.moods.core import ACCEPTANCE_RULES

    assert "loss-se" in ACCEPTANCE_RULES.names()
    with pytest.raises(ValueError, match="per-row validation losses"):
        core = make_core(acceptance="loss-se")
        core.observe([result(core.propose()[0], 0.5, 0.5)])
        core.observe([result(core.propose()[0], 0.6, 0.6)])


def test_warm_start_marks_every_step_after_the_start():
    core = make_core(warm_start=True)
    start = core.propose()[0]
    assert not start.warm_start  # S_0 is fitted from the seeded initialisation
    core.observe([result(start, 0.5, 0.5)])
    assert core.propose()[0].warm_start
