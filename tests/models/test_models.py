from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from autogets_ray.metrics import evaluate
from autogets_ray.models import MODELS, TextModel, create_model, stack_features
from autogets_ray.models import catboost_model

FAST_CATBOOST = {"iterations": 40, "depth": 4}


def fit_and_score(model, split, extra_texts=(), extra_labels=()):
    featurizer = model.make_featurizer()
    x_train = featurizer.fit_transform(split.train["text"].tolist())
    y_train = split.encode_labels(split.train["label"])
    if len(extra_texts):
        # A retrain featurises only the added rows, with the already fitted featuriser.
        x_train = stack_features(x_train, featurizer.transform(list(extra_texts)))
        y_train = np.concatenate([y_train, split.encode_labels(extra_labels)])
    model.fit(x_train, y_train)
    pred = model.predict(featurizer.transform(split.test["text"].tolist()))
    return evaluate(split.encode_labels(split.test["label"]), pred, split.classes), pred


def test_registry_lists_both_models():
    assert MODELS.names() == ["catboost", "linear"]
    with pytest.raises(ValueError, match="unknown model 'svm'.*catboost, linear"):
        create_model("svm")


def test_linear_fits_and_beats_majority(demo_split):
    ev, pred = fit_and_score(create_model("linear"), demo_split)
    majority = demo_split.test["label"].value_counts().iloc[0] / len(demo_split.test)
    assert ev.accuracy > majority + 0.2
    assert pred.dtype == np.int64


def test_linear_retrain_with_added_rows(demo_split):
    texts = ["phishing suspicious link account compromised"] * 30
    ev, _ = fit_and_score(create_model("linear"), demo_split, texts, ["Security"] * 30)
    base, _ = fit_and_score(create_model("linear"), demo_split)
    assert (
        ev.per_class.recall[demo_split.class_code("Security")]
        >= base.per_class.recall[demo_split.class_code("Security")]
    )


@pytest.mark.slow
def test_catboost_svd_fits_and_predicts(demo_split):
    model = create_model("catboost", svd_components=32, device="cpu", **FAST_CATBOOST)
    ev, pred = fit_and_score(model, demo_split)
    assert ev.accuracy > 0.8
    assert set(np.unique(pred)) <= set(range(len(demo_split.classes)))
    assert model.describe()["task_type"] == "CPU"


@pytest.mark.slow
def test_catboost_native_text_features(demo_split):
    model = create_model("catboost", features="text", device="cpu", iterations=30, depth=4)
    ev, _ = fit_and_score(model, demo_split)
    assert ev.accuracy > 0.7


def test_string_labels_never_reach_catboost(demo_split):
    labels = pd.Series(demo_split.train["label"].tolist(), dtype="string")
    codes = demo_split.encode_labels(labels)
    assert codes.dtype == np.int64
    model = create_model("catboost", svd_components=8, device="cpu", iterations=5, depth=2)
    x = model.make_featurizer().fit_transform(demo_split.train["text"].tolist())
    model.fit(x, codes)
    assert model.predict(x).dtype == np.int64


def test_catboost_parameters_and_bad_options(monkeypatch):
    model = create_model("catboost", device="cpu")
    params = model._catboost_params()
    assert (
        params["iterations"],
        params["learning_rate"],
        params["depth"],
        params["l2_leaf_reg"],
        params["random_seed"],
    ) == (300, 0.2, 8, 1, 0)
    assert params["task_type"] == "CPU"
    with pytest.raises(ValueError, match="unknown catboost parameter"):
        create_model("catboost", max_leaves=4)
    with pytest.raises(ValueError, match="gpu_share"):
        create_model("catboost", gpu_share=1.5)
    with pytest.raises(ValueError, match="bad option for model 'linear'"):
        create_model("linear", depth=3)


def test_catboost_gpu_request_without_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(catboost_model, "catboost_gpu_count", lambda: 0)
    with pytest.raises(ValueError, match="no CUDA device"):
        create_model("catboost", device="gpu").uses_gpu()
    assert create_model("catboost", device="auto").uses_gpu() is False


def test_catboost_gpu_share_sets_memory_part(monkeypatch):
    # No GPU here: pretend CatBoost sees one to check the mapping share -> gpu_ram_part.
    monkeypatch.setattr(catboost_model, "catboost_gpu_count", lambda: 1)
    params = create_model("catboost", gpu_share=0.25)._catboost_params()
    assert params["task_type"] == "GPU" and params["gpu_ram_part"] == pytest.approx(0.2375)


def test_stack_features_keeps_kind():
    dense = stack_features(np.ones((2, 3)), np.zeros((1, 3)))
    assert dense.shape == (3, 3)
    sparse = stack_features(sp.csr_matrix(np.eye(2)), sp.csr_matrix(np.ones((1, 2))))
    assert sp.issparse(sparse) and sparse.shape == (3, 2)
    texts = stack_features(np.array([["a"]], dtype=object), np.array([["b"]], dtype=object))
    assert texts.ravel().tolist() == ["a", "b"]


def imbalanced_problem(seed: int, n_major: int, n_minor: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sparse non-negative rows; the minority class is shifted on two of five features."""
    rng = np.random.default_rng(seed)
    shift = np.array([1.5, 1.5, 0.0, 0.0, 0.0])
    x = np.vstack([rng.normal(0, 1, (n_major, 5)), rng.normal(0, 1, (n_minor, 5)) + shift])
    y = np.r_[np.zeros(n_major, dtype=np.int64), np.ones(n_minor, dtype=np.int64)]
    return sp.csr_matrix(np.abs(x)), y


def test_linear_balanced_class_weight_raises_minority_recall():
    x, y = imbalanced_problem(0, 300, 10)
    x_test, y_test = imbalanced_problem(1, 300, 50)
    recall = {}
    for weight in (None, "balanced"):
        model = create_model("linear", class_weight=weight).fit(x, y)
        recall[weight] = float(np.mean(model.predict(x_test)[y_test == 1] == 1))
        assert model.describe()["class_weight"] == weight
    assert recall[None] < 0.2 and recall["balanced"] > recall[None] + 0.3


def test_class_weight_options_and_bad_values():
    assert create_model("linear").balanced_weight_options() == {"class_weight": "balanced"}
    assert MODELS.get("catboost")().balanced_weight_options() == {"auto_class_weights": "Balanced"}
    with pytest.raises(ValueError, match=r"class_weight must be one of \(None, 'balanced'\), got 'Balanced'"):
        create_model("linear", class_weight="Balanced")
    with pytest.raises(
        ValueError, match=r"auto_class_weights must be one of .*'SqrtBalanced'.*got 'balanced'"
    ):
        create_model("catboost", auto_class_weights="balanced")

    class Plain(TextModel):
        name = "plain"

        def make_featurizer(self):
            raise NotImplementedError

        def fit(self, features, labels):
            return self

        def predict(self, features):
            return np.zeros(len(features), dtype=np.int64)

    with pytest.raises(ValueError, match="model 'plain' has no class-weight option"):
        Plain.balanced_weight_options()
    with pytest.raises(NotImplementedError, match="'plain' does not provide decision scores"):
        Plain().decision_scores(np.zeros((1, 1)))


def test_catboost_auto_class_weights_pass_through():
    assert "auto_class_weights" not in create_model("catboost", device="cpu")._catboost_params()
    model = create_model("catboost", device="cpu", auto_class_weights="SqrtBalanced", iterations=10, depth=2)
    assert model._catboost_params()["auto_class_weights"] == "SqrtBalanced"
    assert model.describe()["auto_class_weights"] == "SqrtBalanced"
    x, y = imbalanced_problem(0, 60, 6)
    y[:20] = 2  # three classes
    scores = model.fit(x.toarray(), y).decision_scores(x.toarray())
    assert model._model.get_params()["auto_class_weights"] == "SqrtBalanced"
    assert scores.shape == (66, 3)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(scores, axis=1), model.predict(x.toarray()))


def test_linear_decision_scores_binary_and_multiclass():
    x, y = imbalanced_problem(0, 40, 20)
    model = create_model("linear", class_weight="balanced").fit(x, y)
    scores = model.decision_scores(x)
    assert scores.shape == (60, 2)
    np.testing.assert_allclose(scores[:, 0], -scores[:, 1])
    np.testing.assert_array_equal(np.argmax(scores, axis=1), model.predict(x))

    y3 = y.copy()
    y3[:15] = 2
    model.fit(x, y3)
    scores = model.decision_scores(x)
    assert scores.shape == (60, 3)
    np.testing.assert_array_equal(np.argmax(scores, axis=1), model.predict(x))


def test_decision_scores_fill_unseen_codes_with_minus_inf():
    x, y = imbalanced_problem(0, 40, 20)
    y = np.where(y == 1, 3, 0)  # codes 0 and 3 only, of five classes
    model = create_model("linear").fit(x, y)
    scores = model.decision_scores(x, n_classes=5)
    assert scores.shape == (60, 5)
    assert np.isneginf(scores[:, [1, 2, 4]]).all() and np.isfinite(scores[:, [0, 3]]).all()
    np.testing.assert_array_equal(np.argmax(scores, axis=1), model.predict(x))
    assert model.decision_scores(x).shape == (60, 4)  # default K = largest code seen + 1
    with pytest.raises(ValueError, match="n_classes=3"):
        model.decision_scores(x, n_classes=3)
