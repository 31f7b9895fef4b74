from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.metrics import confusion_matrix, evaluate, hypervolume_2d

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
    with pytest.raises(ValueError, match="unknown objective 'auc'"):
        ev.objective("auc")
    flat = ev.flat()
    assert flat["cr[a]"] == pytest.approx(2 / 3) and flat["oba"] == ev.oba


def test_oba_reproduces_paper_table_1():
    """Paper Table 1: per-class (size, CBA, recall) give OBA 0.923 next to accuracy 0.856."""
    size = np.array([11350, 8529, 4719, 2755, 1963, 1888, 1699, 1466, 1387, 1028, 764, 543, 471, 358, 180])
    cba = np.array([.950, .986, .952, .889, .883, .821, .761, .861, .899, .828, .772, .726, .973, .742, .666])
    recall = np.array([.941, .979, .914, .794, .780, .665, .540, .747, .801, .665, .548, .452, .947, .484, .333])
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
