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
    three = y.copy()
    three[:10] = "other"
    with pytest.raises(ValueError, match="exactly two classes"):
        MOODSSampler(**FAST).fit_resample(X, three)
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


def test_a_three_class_target_is_a_user_input_error(data):
    from autogets_ray.errors import UserInputError

    X, y = data
    three = y.copy()
    three[:10] = "other"
    with pytest.raises(UserInputError, match="exactly two classes"):
        MOODSSampler(**FAST).fit_resample(X, three)
