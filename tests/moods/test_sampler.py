"""MOODSSampler: imbalanced-learn conventions, inside an imblearn Pipeline, without Ray."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from autogets_ray.moods.sampler import MOODSSampler

FAST = dict(max_candidates=4, max_updates=150, max_epochs=50)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=240, n_features=5, n_informative=3, weights=[0.88], random_state=0)
    return X, np.where(y == 1, "rare", "common")


def test_fit_resample_returns_a_balanced_set_with_the_original_labels(data):
    X, y = data
    sampler = MOODSSampler(random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert set(np.unique(y_res)) == {"rare", "common"}
    assert sampler.minority_class_ == "rare"
    n_rare = int(np.sum(y_res == "rare"))
    assert n_rare >= int(np.sum(y == "rare")) * 0.8 * 0.9  # the inner training part's minority, at least
    assert abs(n_rare / len(y_res) - 0.5) < 0.2  # Alg. 1 keeps S roughly balanced
    real_rows = {tuple(np.round(row, 8)) for row in X}
    kept_common = [tuple(np.round(row, 8)) for row in X_res[y_res == "common"]]
    assert all(row in real_rows for row in kept_common)  # majority rows are real, never synthetic
    assert len(sampler.outcome_.history) == FAST["max_candidates"]


def test_same_random_state_same_result(data):
    X, y = data
    a = MOODSSampler(random_state=3, **FAST).fit_resample(X, y)
    b = MOODSSampler(random_state=3, **FAST).fit_resample(X, y)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_private_fit_resample_does_the_work(data):
    X, y = data
    X_res, y_res = MOODSSampler(random_state=0, **FAST)._fit_resample(X, y)
    assert len(X_res) == len(y_res) > 0


def test_inside_an_imblearn_pipeline(data):
    X, y = data
    pipe = make_pipeline(MOODSSampler(random_state=1, **FAST), LogisticRegression())
    pipe.fit(X, y)
    assert set(pipe.predict(X)) <= {"rare", "common"}
    assert pipe.score(X, y) > 0.6


def test_bad_input_is_refused_by_the_public_method(data):
    X, y = data
    with pytest.raises(ValueError, match="max_candidates"):
        MOODSSampler(max_candidates=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="rejection"):
        MOODSSampler(rejection="nope").fit_resample(X, y)


def test_numpy_integers_are_accepted_as_counts(data):
    X, y = data
    sampler = MOODSSampler(
        random_state=0, max_candidates=np.int64(2), max_updates=np.int64(50), max_epochs=20
    )
    X_res, _ = sampler.fit_resample(X, y)
    assert len(X_res) > 0 and len(sampler.outcome_.history) == 2


def test_three_classes_run_one_vs_rest_and_keep_the_majority_rows_some_run_chose(data):
    X, y = data
    three = y.copy()
    three[np.flatnonzero(y == "common")[:30]] = "other"
    sampler = MOODSSampler(random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X, three)
    assert sampler.majority_class_ == "common" and sampler.minority_class_ == "rare"
    assert set(sampler.outcomes_) == {"other", "rare"}
    # every real training row of both minority classes is kept, plus each run's synthetic rows
    for cls in ("other", "rare"):
        real = int(np.sum(three == cls))
        synthetic = len(sampler.outcomes_[cls].state.synthetic)
        assert np.sum(y_res == cls) - synthetic == pytest.approx(real * 0.8, abs=2)
    chosen = set()
    for outcome in sampler.outcomes_.values():
        chosen |= set(outcome.state.majority_idx.tolist())
    assert 0 < np.sum(y_res == "common") <= len(chosen)
    assert np.sum(y_res == "common") < np.sum(three == "common") * 0.8  # the majority is undersampled


def test_fewer_minority_rows_than_the_cli_accepts_is_a_user_input_error(data):
    from autogets_ray.data.tabular import MIN_MINORITY_ROWS
    from autogets_ray.errors import UserInputError

    X, y = data
    few = y.copy()
    few[np.flatnonzero(y == "rare")[MIN_MINORITY_ROWS - 1 :]] = "common"
    with pytest.raises(
        UserInputError, match=f"at least {MIN_MINORITY_ROWS} rows.*'rare' has {MIN_MINORITY_ROWS - 1}"
    ):
        MOODSSampler(**FAST).fit_resample(X, few)
    few[np.flatnonzero(y == "rare")[MIN_MINORITY_ROWS - 1]] = "rare"  # exactly the minimum is fine
    X_res, _ = MOODSSampler(random_state=0, **FAST).fit_resample(X, few)
    assert len(X_res) > 0


def test_float32_stays_float32_and_sparse_comes_back_sparse_with_the_dense_values(data):
    import scipy.sparse as sp

    X, y = data
    X32 = X.astype(np.float32)
    X_res, _ = MOODSSampler(random_state=2, **FAST).fit_resample(X32, y)
    assert X_res.dtype == np.float32
    dense, y_dense = MOODSSampler(random_state=2, **FAST).fit_resample(X, y)
    sparse, y_sparse = MOODSSampler(random_state=2, **FAST).fit_resample(sp.csc_matrix(X), y)
    assert sp.issparse(sparse) and sparse.format == "csc"
    np.testing.assert_allclose(sparse.toarray(), dense)
    assert np.array_equal(y_sparse, y_dense)


def test_warm_start_is_passed_to_the_run(data):
    X, y = data
    sampler = MOODSSampler(random_state=0, warm_start=True, **FAST)
    sampler.fit_resample(X, y)
    assert sampler.outcome_.state.weights is not None


def test_k_fold_validation_holds_nothing_out_and_keeps_every_real_minority_row(data):
    X, y = data
    sampler = MOODSSampler(random_state=0, validation_folds=3, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    real = {tuple(np.round(row, 8)) for row in X[y == "rare"]}
    returned = {tuple(np.round(row, 8)) for row in X_res[y_res == "rare"]}
    assert real <= returned  # every rare row given, none held out as D^V
    assert int(np.sum(y_res == "rare")) > len(real)  # plus the final state's synthetic rows
    history = sampler.outcome_.history
    assert len(history) == FAST["max_candidates"] and all(np.isnan(h.test_f1) for h in history)
