"""The MOODS split: the paper's holdout, or k stratified folds over train+val with the same test rows."""

from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.data.tabular import load_tabular
from autogets_ray.errors import UserInputError
from autogets_ray.moods.split import split_tabular, stratified_folds


@pytest.fixture(scope="module")
def ecoli():
    return load_tabular("ecoli")


def test_k_folds_keep_the_test_rows_and_train_on_train_plus_val(ecoli):
    holdout = split_tabular(ecoli, seed=4)
    folded = split_tabular(ecoli, seed=4, folds=3)
    assert holdout.folds is None and holdout.n_folds == 0
    assert folded.n_folds == 3 and len(folded.y_val) == 0
    assert len(folded.y_train) == len(holdout.y_train) + len(holdout.y_val)
    assert np.array_equal(folded.y_test, holdout.y_test)
    # the same raw test rows: both are standardised, but by different training parts
    assert folded.X_test.shape == holdout.X_test.shape
    np.testing.assert_allclose(folded.X_train.mean(axis=0), 0, atol=1e-9)  # standardised on itself


def test_every_fold_holds_both_classes_in_proportion_and_is_seeded(ecoli):
    split = split_tabular(ecoli, seed=1, folds=3)
    minority = [int(split.y_train[split.folds == j].sum()) for j in range(3)]
    assert sum(minority) == int(split.y_train.sum()) and max(minority) - min(minority) <= 1
    for inside in split.fold_masks():
        assert 0 < inside.sum() < len(inside)
    again = split_tabular(ecoli, seed=1, folds=3)
    assert np.array_equal(again.folds, split.folds)
    assert not np.array_equal(split_tabular(ecoli, seed=2, folds=3).folds, split.folds)


def test_more_folds_than_rows_of_a_class_is_refused():
    y = np.array([0] * 20 + [1] * 3)
    with pytest.raises(UserInputError, match="4 validation folds need at least 4 rows of each class"):
        stratified_folds(y, 4, seed=0)


def test_a_holdout_split_has_no_fold_masks(ecoli):
    with pytest.raises(ValueError, match="no folds"):
        split_tabular(ecoli, seed=0).fold_masks()
