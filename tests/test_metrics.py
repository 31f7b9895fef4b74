from __future__ import annotations

import numpy as np
import pytest

from sklearn.metrics import roc_auc_score

from autogets_ray.metrics import (
    CLASS_OBJECTIVES,
    OBJECTIVES,
    confusion_matrix,
    evaluate,
    hypervolume_2d,
    objective_standard_error,
)

# Hand-computed case. cm = [[2,1,0],[0,1,1],[0,0,1]]
Y_TRUE = [0, 0, 0, 1, 1, 2]
Y_PRED = [0, 0, 1, 1, 2, 2]
CLASSES = ["a", "b", "c"]


def test_confusion_matrix_by_hand():
    assert confusion_matrix(Y_TRUE, Y_PRED, 3).tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_per_class_metrics_by_hand():
    ev = evaluate(Y_TRUE, Y_PRED, CLASSES)
    pc = ev.per_class
    np.testing.assert_allclose(pc.recall, [2 / 3, 0.5, 1.0])
    np.testing.assert_allclose(pc.specificity, [1.0, 0.75, 0.8])
    np.testing.assert_allclose(pc.balanced_accuracy, [5 / 6, 0.625, 0.9])
    np.testing.assert_allclose(pc.precision, [1.0, 0.5, 0.5])
    np.testing.assert_allclose(pc.f1, [0.8, 0.5, 2 / 3])
    assert pc.support.tolist() == [3, 2, 1]


def test_overall_metrics_by_hand():
    ev = evaluate(Y_TRUE, Y_PRED, CLASSES)
    assert ev.accuracy == pytest.approx(4 / 6)
    # micro TNR = 1 - FP / (TN + FP) summed over classes = 1 - 2 / 12
    assert ev.oba == pytest.approx((4 / 6 + 10 / 12) / 2)
    assert ev.weighted_cba == pytest.approx((3 * 5 / 6 + 2 * 0.625 + 0.9) / 6)
    assert ev.of1 == pytest.approx((3 * 0.8 + 2 * 0.5 + 2 / 3) / 6)
    assert ev.macro_recall == pytest.approx((2 / 3 + 0.5 + 1) / 3)


def test_objectives_read_the_right_numbers():
    ev = evaluate(Y_TRUE, Y_PRED, CLASSES)
    assert ev.objective("cr", "b") == pytest.approx(0.5)
    assert ev.objective("cba", "c") == pytest.approx(0.9)
    assert ev.objective("oba") == ev.oba and ev.objective("of1") == ev.of1
    with pytest.raises(ValueError, match="needs a target class"):
        ev.objective("cr")
    with pytest.raises(ValueError, match="unknown objective 'xyz'"):
        ev.objective("xyz")
    with pytest.raises(ValueError, match="objective 'auc' needs decision scores; this evaluation has none"):
        ev.objective("auc", "a")
    flat = ev.flat()
    assert flat["cr[a]"] == pytest.approx(2 / 3) and flat["oba"] == ev.oba


def test_oba_reproduces_paper_table_1():
    """Paper Table 1: per-class (size, CBA, recall) give OBA 0.923 next to accuracy 0.856."""
    size = np.array([11350, 8529, 4719, 2755, 1963, 1888, 1699, 1466, 1387, 1028, 764, 543, 471, 358, 180])
    cba = np.array(
        [
            0.950,
            0.986,
            0.952,
            0.889,
            0.883,
            0.821,
            0.761,
            0.861,
            0.899,
            0.828,
            0.772,
            0.726,
            0.973,
            0.742,
            0.666,
        ]
    )
    recall = np.array(
        [
            0.941,
            0.979,
            0.914,
            0.794,
            0.780,
            0.665,
            0.540,
            0.747,
            0.801,
            0.665,
            0.548,
            0.452,
            0.947,
            0.484,
            0.333,
        ]
    )
    specificity = 2 * cba - recall
    negatives = size.sum() - size
    accuracy = np.sum(size * recall) / size.sum()
    oba = (accuracy + np.sum(negatives * specificity) / negatives.sum()) / 2
    assert round(accuracy, 3) == 0.856
    assert round(oba, 3) == 0.923
    assert round(float(np.sum(size * cba) / size.sum()), 3) != 0.923  # the plain weighted mean is not it


def test_oba_matches_the_micro_formula_on_random_predictions():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 400), rng.integers(0, 5, 400)
    ev = evaluate(y_true, y_pred, list("abcde"))
    assert ev.oba == pytest.approx((ev.accuracy + 1 - (1 - ev.accuracy) / 4) / 2)


def test_absent_class_gets_zero_weight_and_no_nan():
    ev = evaluate([0, 0, 1], [0, 1, 1], ["a", "b", "c"])
    assert ev.per_class.support.tolist() == [2, 1, 0]
    assert not np.isnan(ev.per_class.f1).any()
    assert ev.macro_recall == pytest.approx((0.5 + 1.0) / 2)


def test_bad_codes_and_shapes():
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix([0, 1], [0], 3)


def test_hypervolume_by_hand():
    points = [(0.5, 0.5), (0.8, 0.2), (0.2, 0.8), (0.4, 0.4)]
    assert hypervolume_2d(points, (0.0, 0.0)) == pytest.approx(0.16 + 0.15 + 0.06)
    assert hypervolume_2d([(0.5, 0.5)], (0.6, 0.0)) == 0.0
    assert hypervolume_2d([(1.0, 1.0)], (0.5, 0.5)) == pytest.approx(0.25)


# Class "b" (rows 3, 4) against rows 0, 1, 2, 5: positives 0.9 and 0.5 beat 4 + 2 of 8 negatives.
SCORES = np.array(
    [[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.9, 0.0], [0.1, 0.5, 0.4], [0.0, 0.7, 0.3]]
)


def test_objective_lists():
    assert OBJECTIVES == ("cr", "cba", "oba", "of1", "auc")
    assert CLASS_OBJECTIVES == ("cr", "cba", "auc")


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 4, 300)
    scores = rng.integers(0, 6, (300, 4)).astype(float)  # many ties
    ev = evaluate(y_true, scores.argmax(axis=1), list("abcd"), scores=scores)
    expected = [roc_auc_score(y_true == c, scores[:, c]) for c in range(4)]
    np.testing.assert_allclose(ev.auc, expected, rtol=0, atol=1e-12)
    assert ev.objective("auc", "c") == pytest.approx(expected[2])


def test_auc_by_hand_and_unseen_class_column():
    ev = evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES)
    assert ev.auc[1] == pytest.approx(0.75)
    scores = SCORES.copy()
    scores[:, 2] = -np.inf  # a class the model never saw: all tied
    assert evaluate(Y_TRUE, Y_PRED, CLASSES, scores=scores).auc[2] == pytest.approx(0.5)


def test_auc_is_nan_without_positives_or_negatives():
    scores = np.random.default_rng(0).random((3, 3))
    ev = evaluate([0, 0, 1], [0, 1, 1], ["a", "b", "c"], scores=scores)
    assert np.isnan(ev.auc[2]) and not np.isnan(ev.auc[:2]).any()
    assert np.isnan(evaluate([0, 0], [0, 0], ["a", "b"], scores=np.ones((2, 2))).auc).all()


def test_flat_has_auc_keys_only_with_scores():
    assert not any(k.startswith("auc[") for k in evaluate(Y_TRUE, Y_PRED, CLASSES).flat())
    flat = evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES).flat()
    assert {k for k in flat if k.startswith("auc[")} == {"auc[a]", "auc[b]", "auc[c]"}
    assert flat["auc[b]"] == pytest.approx(0.75)


def test_bad_scores_shape():
    with pytest.raises(ValueError, match=r"scores must have shape \(n_rows, 3\)"):
        evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES[:, :2])
    with pytest.raises(ValueError, match="scores must have shape"):
        evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES[:4])
    with pytest.raises(ValueError, match="NaN"):
        evaluate(Y_TRUE, Y_PRED, CLASSES, scores=np.full((6, 3), np.nan))
    with pytest.raises(ValueError, match="needs a target class"):
        evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES).objective("auc")


def test_standard_errors_by_hand():
    # cm = [[2,1,0],[0,1,1],[0,0,1]]; class b: TP 1 of 2 positives, TN 3 of 4 negatives.
    ev = evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES)
    se_tpr = np.sqrt(0.5 * 0.5 / 2)  # p~ = 1.5 / 3
    se_tnr = np.sqrt(0.7 * 0.3 / 4)  # q~ = 3.5 / 5
    assert objective_standard_error(ev, "cr", "b") == pytest.approx(se_tpr)
    assert objective_standard_error(ev, "cba", "b") == pytest.approx(0.5 * np.sqrt(se_tpr**2 + se_tnr**2))
    # Hanley & McNeil, A = 0.75: Q1 = 0.6, Q2 = 1.125 / 1.75; var = (0.1875 + 0.0375 + 3 * 0.080357) / 8
    assert objective_standard_error(ev, "auc", "b") == pytest.approx(0.2413688, abs=1e-6)
    acc = 4.5 / 7  # 4 of 6 correct, smoothed
    assert objective_standard_error(ev, "oba") == pytest.approx(3 / 4 * np.sqrt(acc * (1 - acc) / 6))
    assert objective_standard_error(ev, "of1") == pytest.approx(np.sqrt(ev.of1 * (1 - ev.of1) / 6))
    assert objective_standard_error(ev, "cr", "c") > 0  # recall 1 of 1 is smoothed, not SE 0


def test_standard_errors_shrink_with_more_rows():
    small = evaluate(Y_TRUE, Y_PRED, CLASSES, scores=SCORES)
    large = evaluate(np.tile(Y_TRUE, 20), np.tile(Y_PRED, 20), CLASSES, scores=np.tile(SCORES, (20, 1)))
    for objective in OBJECTIVES:
        target = "b" if objective in CLASS_OBJECTIVES else None
        assert large.objective(objective, target) == pytest.approx(small.objective(objective, target))
        assert (
            objective_standard_error(large, objective, target)
            < objective_standard_error(small, objective, target) / 3
        )


def test_standard_errors_nan_and_errors():
    ev = evaluate([0, 0, 1], [0, 1, 1], ["a", "b", "c"], scores=np.random.default_rng(0).random((3, 3)))
    assert np.isnan(objective_standard_error(ev, "auc", "c"))  # AUC is NaN: no positives
    assert np.isnan(objective_standard_error(ev, "cr", "c"))  # no rows of class c
    with pytest.raises(ValueError, match="unknown objective 'xyz'"):
        objective_standard_error(ev, "xyz")
    with pytest.raises(ValueError, match="needs decision scores"):
        objective_standard_error(evaluate([0, 1], [0, 1], ["a", "b"]), "auc", "a")


def test_hypervolume_in_three_objectives_by_inclusion_exclusion():
    from autogets_ray.metrics import hypervolume

    boxes = [(1.0, 1.0, 1.0), (2.0, 0.5, 0.5)]  # 1 + 0.5 - 0.25 of overlap
    assert hypervolume(boxes, (0.0, 0.0, 0.0)) == pytest.approx(1.25)
    assert hypervolume([*boxes, (0.5, 0.5, 0.5), (float("nan"), 9.0, 9.0)], (0, 0, 0)) == pytest.approx(1.25)
    assert hypervolume([(0.4, 0.8), (0.7, 0.3)], (0.0, 0.0)) == pytest.approx(0.32 + 0.3 * 0.3)
    with pytest.raises(ValueError, match="2 or 3"):
        hypervolume([(1, 1, 1, 1)], (0, 0, 0, 0))
