from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from autogets_ray.metrics import evaluate
from autogets_ray.models import MODELS, create_model, stack_features
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
    assert ev.per_class.recall[demo_split.class_code("Security")] >= base.per_class.recall[
        demo_split.class_code("Security")]


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
    assert (params["iterations"], params["learning_rate"], params["depth"], params["l2_leaf_reg"],
            params["random_seed"]) == (300, 0.2, 8, 1, 0)
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
