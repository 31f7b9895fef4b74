from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.experiment.context import build_context
from autogets_ray.experiment.runner import derived_seed, plan_searches, resolve_targets
from autogets_ray.experiment.config import load_config


@pytest.fixture(scope="module")
def context(demo_split):
    return build_context(demo_split, "linear", encoder_components=3)


def test_context_holds_m0_and_real_features(context, demo_split):
    assert context.x_train.shape[0] == len(demo_split.train)
    assert context.coords_train.shape == (len(demo_split.train), 3)
    assert context.m0_val.accuracy > 0.8
    assert context.class_sizes()["Security"] == int((demo_split.train["label"] == "Security").sum())
    row = int(demo_split.train["row_id"].iloc[5])
    assert context.text_of(row) == demo_split.train["text"].iloc[5]
    with pytest.raises(ValueError, match="not a training example"):
        context.text_of(int(demo_split.test["row_id"].iloc[0]))


def test_retrain_without_rows_reproduces_m0(context):
    again = context.retrain([], [])
    assert again.val.accuracy == context.m0_val.accuracy
    np.testing.assert_array_equal(again.test.confusion, context.m0_test.confusion)


def test_retrain_with_targeted_rows_changes_the_class(context, demo_split):
    code = demo_split.class_code("Security")
    real = context.train_texts[context.train_labels == "Security"].tolist()
    texts = real * 8  # heavy oversampling of the class's own examples
    result = context.retrain(texts, ["Security"] * len(texts))
    assert result.n_synthetic == len(texts)
    assert result.val.per_class.recall[code] > context.m0_val.per_class.recall[code]


def test_targets_and_search_plan(demo_split):
    assert resolve_targets("smallest:2", demo_split) == ["Security", "Purchase"]
    assert resolve_targets("all", demo_split)[0] == "Hardware"
    assert resolve_targets(["Email"], demo_split) == ["Email"]
    with pytest.raises(ValueError, match="unknown class 'Nope'"):
        resolve_targets(["Nope"], demo_split)
    with pytest.raises(ValueError, match="smallest:N"):
        resolve_targets("tiniest", demo_split)
    config = load_config(overrides=["strategies=[sw, ga]", "objectives=[cba, oba]"])
    plan = plan_searches(config, ["Security"])
    assert [s.search_id for s in plan] == [
        "Security-sw-cba",
        "Security-sw-oba",
        "Security-ga-cba",
        "Security-ga-oba",
    ]
    assert len({s.seed for s in plan}) == 4
    assert derived_seed(0, "a", "b") == derived_seed(0, "a", "b") != derived_seed(1, "a", "b")
