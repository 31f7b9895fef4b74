"""Evaluation schemes: config validation, fold plans, fold-scored candidates and their standard errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.experiment.context import build_context
from autogets_ray.experiment.evaluation import EvaluationConfig, FoldMetrics, plan_folds
from autogets_ray.metrics import evaluate, objective_standard_error

K = 3


@pytest.fixture(scope="module")
def holdout(small_split):
    return build_context(small_split, "linear", {}, encoder_components=2)


@pytest.fixture(scope="module")
def kfold(small_split):
    return build_context(
        small_split, "linear", {}, encoder_components=2, evaluation=EvaluationConfig("kfold", folds=K, seed=0)
    )


def pool_labels(split):
    """Codes of train+val, training rows first (the pool ``plan_folds`` sees)."""
    return np.concatenate(
        [split.encode_labels(split.train["label"]), split.encode_labels(split.val["label"])]
    )


# --- EvaluationConfig -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, key",
    [
        ({"scheme": "loo"}, "evaluation.scheme"),
        ({"folds": 1}, "evaluation.folds"),
        ({"folds": 2.5}, "evaluation.folds"),
        ({"folds": True}, "evaluation.folds"),
        ({"repeats": 0}, "evaluation.repeats"),
        ({"seed": 1.5}, "evaluation.seed"),
        ({"seed": True}, "evaluation.seed"),
        ({"margin_se": -0.5}, "evaluation.margin_se"),
        ({"margin_se": "1"}, "evaluation.margin_se"),
    ],
)
def test_bad_config_values_name_the_key(values, key):
    with pytest.raises(ValueError, match=key.replace(".", r"\.")):
        EvaluationConfig(**values)


def test_fits_per_candidate_follow_the_scheme():
    assert (EvaluationConfig().n_scores, EvaluationConfig().fits_per_candidate) == (1, 1)
    assert (
        EvaluationConfig("kfold", folds=4).n_scores,
        EvaluationConfig("kfold", folds=4).fits_per_candidate,
    ) == (4, 5)
    repeated = EvaluationConfig("repeated", repeats=3, folds=7)  # folds is kfold's, not repeated's
    assert (repeated.n_scores, repeated.fits_per_candidate) == (3, 4)


# --- plan_folds ---------------------------------------------------------------------------------------------------


def test_holdout_is_one_fold_fitting_train_and_scoring_val(small_split):
    labels = pool_labels(small_split)
    n_train = len(small_split.train)
    [fold] = plan_folds(labels, n_train, EvaluationConfig())
    np.testing.assert_array_equal(fold.fit, np.arange(n_train))
    np.testing.assert_array_equal(fold.score, np.arange(n_train, len(labels)))


def test_kfold_partitions_train_and_val_stratified(small_split):
    labels = pool_labels(small_split)
    folds = plan_folds(labels, len(small_split.train), EvaluationConfig("kfold", folds=K))
    assert len(folds) == K
    scored = np.concatenate([f.score for f in folds])
    np.testing.assert_array_equal(np.sort(scored), np.arange(len(labels)))  # every row scored exactly once
    for fold in folds:
        assert np.intersect1d(fold.fit, fold.score).size == 0
        np.testing.assert_array_equal(np.union1d(fold.fit, fold.score), np.arange(len(labels)))
    for code in range(len(small_split.classes)):
        per_fold = [int((labels[f.score] == code).sum()) for f in folds]
        assert sum(per_fold) == int((labels == code).sum())
        assert max(per_fold) - min(per_fold) <= 1, (small_split.classes[code], per_fold)


def test_context_folds_never_touch_a_test_row(kfold, small_split):
    pool_ids = np.concatenate([kfold.train_row_ids, kfold.val_row_ids])
    test_ids = set(small_split.test["row_id"].tolist())
    assert len(pool_ids) == len(small_split.train) + len(small_split.val)
    for fold in kfold.folds:
        assert fold.fit.max() < len(pool_ids) and fold.score.max() < len(pool_ids)
        assert not test_ids & set(pool_ids[fold.fit].tolist())
        assert not test_ids & set(pool_ids[fold.score].tolist())


def test_fold_assignment_follows_the_seed(small_split):
    labels, n_train = pool_labels(small_split), len(small_split.train)

    def scores(seed):
        return [
            f.score.tolist()
            for f in plan_folds(labels, n_train, EvaluationConfig("kfold", folds=K, seed=seed))
        ]

    assert scores(3) == scores(3)
    assert scores(3) != scores(4)


def test_validation_only_folds_score_validation_rows_and_fit_every_training_row(small_split):
    labels, n_train = pool_labels(small_split), len(small_split.train)
    folds = plan_folds(
        labels, n_train, EvaluationConfig("kfold", folds=2), small_split.classes, validation_only=True
    )
    assert len(folds) == 2
    np.testing.assert_array_equal(
        np.sort(np.concatenate([f.score for f in folds])), np.arange(n_train, len(labels))
    )
    for fold in folds:
        assert fold.score.min() >= n_train
        assert np.isin(np.arange(n_train), fold.fit).all()


def test_repeated_gives_r_resplits_of_the_validation_size(small_split):
    labels, n_train = pool_labels(small_split), len(small_split.train)
    n_val = len(labels) - n_train
    folds = plan_folds(labels, n_train, EvaluationConfig("repeated", repeats=4))
    assert len(folds) == 4
    for fold in folds:
        assert abs(len(fold.score) - n_val) <= 1
        np.testing.assert_array_equal(np.union1d(fold.fit, fold.score), np.arange(len(labels)))
        assert np.intersect1d(fold.fit, fold.score).size == 0
    assert len({tuple(f.score) for f in folds}) == 4  # re-splits, not one split four times
    only_val = plan_folds(labels, n_train, EvaluationConfig("repeated", repeats=4), validation_only=True)
    assert len(only_val) == 4 and all(f.score.min() >= n_train for f in only_val)


def test_a_class_smaller_than_k_names_evaluation_folds(small_split):
    labels, n_train = pool_labels(small_split), len(small_split.train)
    smallest = int((labels[n_train:] == small_split.class_code("Security")).sum())  # 2 validation rows
    with pytest.raises(
        ValueError, match=r"evaluation\.folds: class '(Security|Purchase)' has only 2 validation rows"
    ):
        plan_folds(
            labels,
            n_train,
            EvaluationConfig("kfold", folds=smallest + 1),
            small_split.classes,
            validation_only=True,
        )
    codes = np.array([0] * 10 + [1] * 2)
    with pytest.raises(ValueError, match=r"evaluation\.folds: class 'tiny' has only 2 rows in train\+val"):
        plan_folds(codes, 8, EvaluationConfig("kfold", folds=3), ["big", "tiny"])
    with pytest.raises(ValueError, match=r"evaluation\.scheme: class 'tiny' has only 1"):
        plan_folds(np.array([0] * 10 + [1]), 8, EvaluationConfig("repeated"), ["big", "tiny"])


# --- ExperimentContext.score under kfold ---------------------------------------------------------------------------


def security_copies(context, times=3):
    """The Security training rows repeated: a candidate whose sources are those rows."""
    rows = context.class_rows("Security")
    texts = [str(context.train_texts[i]) for i in rows] * times
    sources = [int(context.train_row_ids[i]) for i in rows] * times
    return texts, ["Security"] * len(texts), sources


def test_kfold_scores_k_folds_plus_the_test_fit(kfold):
    assert kfold.m0_score.fits == K + 1 and len(kfold.m0_score.val.folds) == K
    texts, labels, sources = security_copies(kfold)
    scored = kfold.score(texts, labels, sources)
    assert scored.fits == K + 1 and len(scored.val.folds) == K
    assert scored.n_synthetic == len(texts)


def test_kfold_test_numbers_are_the_holdout_model(holdout, kfold):
    np.testing.assert_array_equal(kfold.m0_test.confusion, holdout.m0_test.confusion)
    texts, labels, sources = security_copies(kfold)
    by_kfold, by_holdout = kfold.score(texts, labels, sources), holdout.score(texts, labels, sources)
    np.testing.assert_array_equal(by_kfold.test.confusion, by_holdout.test.confusion)
    assert by_kfold.test.flat() == pytest.approx(by_holdout.test.flat(), nan_ok=True)
    # the fit on train + samples is also what holdout_val reports under both schemes
    np.testing.assert_array_equal(by_kfold.holdout_val.confusion, by_holdout.holdout_val.confusion)
    assert by_holdout.val.flat() == pytest.approx(by_holdout.holdout_val.flat(), nan_ok=True)
    assert by_kfold.test.flat() != kfold.m0_test.flat()  # the samples did change the test model


def test_a_sample_of_a_held_out_row_is_left_out_of_that_fold(kfold, small_split):
    source_position = int(kfold.class_rows("Security")[0])
    source = int(kfold.train_row_ids[source_position])
    held_in = [i for i, f in enumerate(kfold.folds) if source_position in f.score]
    assert len(held_in) == 1
    # many mislabelled samples, all made from that one row: they change any fit they enter
    texts = [str(t) for t in small_split.train.loc[small_split.train["label"] == "Hardware", "text"]]
    scored = kfold.score(texts, ["Security"] * len(texts), [source] * len(texts))
    m0_folds = kfold.m0_score.val.folds
    for i, fold_metrics in enumerate(scored.val.folds):
        if i == held_in[0]:
            assert fold_metrics == m0_folds[i]  # the samples were dropped: M0's fit of this fold exactly
        else:
            assert fold_metrics["cr[Hardware]"] < m0_folds[i]["cr[Hardware]"]
    # with samples of another source, the same texts change that fold as well
    other = int(
        kfold.train_row_ids[
            next(p for p in kfold.class_rows("Security") if p not in kfold.folds[held_in[0]].score)
        ]
    )
    moved = kfold.score(texts, ["Security"] * len(texts), [other] * len(texts))
    assert moved.val.folds[held_in[0]]["cr[Hardware]"] < m0_folds[held_in[0]]["cr[Hardware]"]


def test_validation_only_keeps_training_sources_in_every_fold(small_split):
    context = build_context(
        small_split,
        "linear",
        {},
        encoder_components=2,
        evaluation=EvaluationConfig("kfold", folds=2),
        validation_only=True,
    )
    assert all(f.score.min() >= len(small_split.train) for f in context.folds)
    source = int(context.train_row_ids[context.class_rows("Security")[0]])
    texts = [str(t) for t in small_split.train.loc[small_split.train["label"] == "Hardware", "text"]]
    scored = context.score(texts, ["Security"] * len(texts), [source] * len(texts))
    for fold_metrics, m0 in zip(scored.val.folds, context.m0_score.val.folds):
        assert fold_metrics["cr[Hardware]"] < m0["cr[Hardware]"]


def test_score_needs_one_source_per_sample(kfold):
    with pytest.raises(ValueError, match="2 samples but 1 source ids"):
        kfold.score(["a b", "c d"], ["Security", "Security"], [1])


# --- FoldMetrics -----------------------------------------------------------------------------------------------------


def test_fold_metrics_means_and_standard_error_over_folds():
    metrics = FoldMetrics(
        ({"oba": 0.6, "cba[b]": 0.5}, {"oba": 0.7, "cba[b]": 0.5}, {"oba": 0.8, "cba[b]": 0.8})
    )
    assert metrics.flat() == pytest.approx({"oba": 0.7, "cba[b]": 0.6})
    np.testing.assert_allclose(metrics.objective_folds("cba", "b"), [0.5, 0.5, 0.8])
    assert metrics.oba == pytest.approx(0.7)
    # sample sd of 0.6, 0.7, 0.8 is 0.1 (ddof=1), of 0.5, 0.5, 0.8 is sqrt(0.03)
    assert metrics.standard_error("oba") == pytest.approx(0.1 / math.sqrt(3))
    assert metrics.standard_error("cba", "b") == pytest.approx(math.sqrt(0.03) / math.sqrt(3))
    with pytest.raises(ValueError, match=r"no metric 'cba\[z\]'"):
        metrics.objective("cba", "z")


def test_holdout_standard_error_is_the_analytic_one():
    evaluation = evaluate([0, 0, 0, 1, 1], [0, 0, 1, 1, 0], ["a", "b"])
    metrics = FoldMetrics.of(evaluation)
    assert metrics.objective("cr", "b") == pytest.approx(0.5)
    # cr of b: TP 1 of 2 positives -> p~ = 1.5 / 3 = 0.5, SE = sqrt(0.25 / 2)
    assert metrics.standard_error("cr", "b") == pytest.approx(math.sqrt(0.125))
    for objective in ("cba", "oba"):
        assert metrics.standard_error(objective, "b") == objective_standard_error(evaluation, objective, "b")
    assert math.isnan(FoldMetrics(({"oba": 0.7},)).standard_error("oba"))  # one fold, no evaluation


def test_context_m0_standard_error_matches_its_scheme(holdout, kfold):
    assert holdout.m0_score.val.standard_error("cba", "Email") == pytest.approx(
        objective_standard_error(holdout.m0_val, "cba", "Email")
    )
    folds = kfold.m0_score.val.objective_folds("cba", "Email")
    assert kfold.m0_score.val.standard_error("cba", "Email") == pytest.approx(
        np.std(folds, ddof=1) / math.sqrt(K)
    )
