"""Binary F1 (paper Def. 3) and the acceptance test of Alg. 1 line 16."""

from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.moods.metrics import BinaryF1, binary_f1, improves_both


def test_binary_f1_by_hand():
    y_true = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 1, 0, 1, 0, 0, 0, 0])  # Tp 2, Fn 1, Fp 1, Tn 4
    score = binary_f1(y_true, y_pred)
    assert score.f1_minority == pytest.approx(4 / 6)
    assert score.f1_majority == pytest.approx(8 / 10)
    assert score.f1 == pytest.approx((4 / 6 + 8 / 10) / 2)


def test_binary_f1_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        binary_f1(np.array([0, 1]), np.array([0, 1, 1]))


@pytest.mark.parametrize(
    "new,old,expected",
    [
        ((0.80, 0.70), (0.75, 0.60), True),  # both better
        ((0.80, 0.60), (0.75, 0.60), False),  # minority tie: not strictly better
        ((0.75, 0.70), (0.75, 0.60), False),  # overall tie
        ((0.90, 0.50), (0.75, 0.60), False),  # trade-off
        ((0.70, 0.50), (0.75, 0.60), False),  # both worse
    ],
)
def test_improves_both_needs_strict_gains_in_both(new, old, expected):
    def as_score(pair):
        return BinaryF1(pair[0], pair[1], 2 * pair[0] - pair[1])

    assert improves_both(as_score(new), as_score(old)) is expected


def test_balanced_loss_change_weighs_both_classes_equally_and_pairs_the_rows():
    from autogets_ray.moods.metrics import RowLosses, balanced_loss_change

    old = RowLosses(np.array([1.0, 2.0, 3.0]), np.array([0.1] * 50))
    new = RowLosses(np.array([0.5, 1.5, 2.5]), np.array([0.1] * 50))
    change, se = balanced_loss_change(new, old)
    assert change == pytest.approx(-0.25)  # the minority mean fell by 0.5, weight 1/2
    assert se == pytest.approx(0.0)  # every pair moved by the same amount: no noise
    assert new.balanced() - old.balanced() == pytest.approx(change)
    _, se_one = balanced_loss_change(
        RowLosses(np.array([0.5]), new.majority), RowLosses(np.array([1.0]), old.majority)
    )
    assert se_one == float("inf")  # one minority row: no evidence about its noise
    with pytest.raises(ValueError, match="validation rows"):
        balanced_loss_change(new, RowLosses(np.array([1.0]), old.majority))


def test_row_losses_split_by_class():
    from autogets_ray.moods.metrics import RowLosses

    rows = RowLosses.of(np.array([0.1, 0.2, 0.3, 0.4]), np.array([1, 0, 1, 0]))
    np.testing.assert_array_equal(rows.minority, [0.1, 0.3])
    np.testing.assert_array_equal(rows.majority, [0.2, 0.4])
