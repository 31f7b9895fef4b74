"""The no-search baselines, with the offline ngram generator (no Ray, no network)."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest

from autogets_ray.experiment.baselines import (
    BASELINES,
    DEFAULT_SAMPLES_PER_EXAMPLE,
    baselines_frame,
    check_baselines,
    duplicate_rows,
    score_baselines,
)
from autogets_ray.experiment.context import build_context
from autogets_ray.experiment.evaluation import EvaluationConfig
from autogets_ray.llm import Example, GenerationConfig, GenerationResult, build_generator
from autogets_ray.llm.data import class_texts
from autogets_ray.llm.types import samples_frame

TARGETS = ["Security", "Purchase"]
SEEDS = {"Security": 11, "Purchase": 12}


@pytest.fixture(scope="module")
def context(small_split):
    return build_context(small_split, "linear", {}, encoder_components=2)


@pytest.fixture(scope="module")
def generator(small_split, tmp_path_factory):
    config = GenerationConfig(backend="ngram", cache_dir=str(tmp_path_factory.mktemp("llm-cache")))
    with build_generator(config, class_texts(small_split)) as gen:
        yield gen


class Recording:
    """``generate`` that remembers the examples it was asked for."""

    def __init__(self, generator):
        self.generator, self.calls = generator, []

    def __call__(self, examples):
        self.calls.append(list(examples))
        return self.generator.generate(examples)


@pytest.fixture(scope="module")
def scores(context, generator):
    generate = Recording(generator)
    out = score_baselines(context, TARGETS, list(BASELINES), generate, SEEDS)
    return out, generate


def by_name(scores, target):
    return {s.baseline: s for s in scores if s.target_class == target}


def training_rows(split, label):
    train = split.train
    return train[train["label"] == label]


def test_check_baselines_orders_and_rejects_unknown_names():
    assert check_baselines(["class-weight", "m0", "duplicate", "m0"]) == ["m0", "duplicate", "class-weight"]
    assert check_baselines([]) == []
    with pytest.raises(ValueError, match="unknown baseline 'smote'; choose from m0, all-examples"):
        check_baselines(["m0", "smote"])


def test_unknown_baseline_is_refused_before_anything_runs(context):
    def generate(examples):
        raise AssertionError("nothing may be generated for a bad baseline list")

    with pytest.raises(ValueError, match="unknown baseline 'oversample'"):
        score_baselines(context, TARGETS, ["all-examples", "oversample"], generate, SEEDS)


def test_every_baseline_of_every_target_is_scored(scores):
    out, _ = scores
    assert [(s.target_class, s.baseline) for s in out] == [(t, b) for t in TARGETS for b in BASELINES]


def test_m0_adds_no_rows_and_is_m0(scores, context):
    for target in TARGETS:
        m0 = by_name(scores[0], target)["m0"]
        assert m0.n_added == 0 and m0.score is context.m0_score


def test_all_examples_adds_the_samples_of_every_training_example(scores, context, generator, small_split):
    out, generate = scores
    assert len(generate.calls) == len(TARGETS)  # one generate call per class, nothing for the other baselines
    for target, examples in zip(TARGETS, generate.calls):
        rows = training_rows(small_split, target)
        assert sorted(e.example_id for e in examples) == sorted(rows["row_id"].tolist())
        assert {e.label for e in examples} == {target}
        assert {e.example_id: e.text for e in examples} == dict(zip(rows["row_id"], rows["text"]))
        samples = generator.generate(examples).samples  # the cache: the same samples again
        assert len(samples) > len(rows)  # several samples of each example
        scored = by_name(out, target)["all-examples"]
        assert scored.n_added == len(samples) == scored.score.n_synthetic
        assert set(samples["source_id"]) == set(rows["row_id"])
        expected = context.score(
            samples["text"].tolist(), [target] * len(samples), samples["source_id"].tolist()
        )
        assert scored.score.test.flat() == pytest.approx(expected.test.flat(), nan_ok=True)


def test_duplicate_adds_as_many_real_rows_of_the_class(scores, context, small_split):
    for target in TARGETS:
        named = by_name(scores[0], target)
        assert (
            named["duplicate"].n_added
            == named["all-examples"].n_added
            == named["duplicate"].score.n_synthetic
        )
        texts, ids = duplicate_rows(context, target, named["duplicate"].n_added, SEEDS[target])
        rows = training_rows(small_split, target)
        assert set(ids) <= set(rows["row_id"])
        text_of = dict(zip(rows["row_id"], rows["text"]))
        assert texts == [text_of[i] for i in ids]
        expected = context.score(texts, [target] * len(texts), ids)
        assert named["duplicate"].score.test.flat() == pytest.approx(expected.test.flat(), nan_ok=True)


def test_duplicate_rows_follow_the_seed(context):
    n = 30
    first, first_ids = duplicate_rows(context, "Security", n, seed=5)
    again, again_ids = duplicate_rows(context, "Security", n, seed=5)
    other, other_ids = duplicate_rows(context, "Security", n, seed=6)
    assert len(first) == len(first_ids) == n
    assert (first, first_ids) == (again, again_ids)
    assert first_ids != other_ids
    assert len(set(first_ids)) > 1  # drawn from the class, not one row repeated
    assert duplicate_rows(context, "Security", 0, seed=5) == ([], [])


def test_duplicate_without_all_examples_adds_the_default_count(context):
    def generate(examples):
        raise AssertionError("duplicate alone generates nothing")

    [scored] = score_baselines(context, ["Security"], ["duplicate"], generate, SEEDS)
    assert scored.n_added == DEFAULT_SAMPLES_PER_EXAMPLE * len(context.class_rows("Security"))


def test_class_weight_is_m0_refitted_with_balanced_weights(scores, context):
    out, _ = scores
    weighted = [s for s in out if s.baseline == "class-weight"]
    assert all(s.n_added == 0 for s in weighted)
    assert weighted[0].score is weighted[1].score  # one model for every class
    balanced = context.score([], [], [], {"class_weight": "balanced"})
    assert weighted[0].score.val.flat() == pytest.approx(balanced.val.flat(), nan_ok=True)
    assert weighted[0].score.test.flat() == pytest.approx(balanced.test.flat(), nan_ok=True)
    # on this imbalanced split the weights change the model
    assert weighted[0].score.val.flat() != context.m0_score.val.flat()


def test_baselines_frame_has_one_row_per_class_objective_and_baseline(scores):
    out, _ = scores
    objectives = ["cba", "oba", "auc"]
    frame = baselines_frame(out, objectives)
    assert len(frame) == len(TARGETS) * len(objectives) * len(BASELINES)
    for column in (
        "target_class",
        "objective",
        "baseline",
        "val_objective",
        "test_objective",
        "val_objective_se",
        "val_objective_folds",
        "n_added",
        "fits",
        "test_oba",
        "test_cba[Security]",
    ):
        assert column in frame.columns
    assert not frame.duplicated(["target_class", "objective", "baseline"]).any()
    row = frame.set_index(["target_class", "objective", "baseline"]).loc[("Security", "cba", "all-examples")]
    scored = by_name(out, "Security")["all-examples"].score
    assert row["val_objective"] == pytest.approx(scored.val.objective("cba", "Security"))
    assert row["test_objective"] == pytest.approx(scored.test.objective("cba", "Security"))
    assert row["test_objective"] == pytest.approx(row["test_cba[Security]"])
    assert json.loads(row["val_objective_folds"]) == pytest.approx([row["val_objective"]])  # holdout: one
    assert row["fits"] == 1
    empty = baselines_frame([], objectives)
    assert empty.empty and {"target_class", "objective", "baseline", "val_objective"} <= set(empty.columns)


def test_baselines_under_kfold_carry_their_folds(small_split, generator):
    context = build_context(
        small_split, "linear", {}, encoder_components=2, evaluation=EvaluationConfig("kfold", folds=3)
    )
    out = score_baselines(context, ["Security"], ["m0", "duplicate"], generator.generate, SEEDS)
    frame = baselines_frame(out, ["cba"]).set_index("baseline")
    for name in ("m0", "duplicate"):
        folds = json.loads(frame.loc[name, "val_objective_folds"])
        assert len(folds) == 3 and frame.loc[name, "fits"] == 4
        assert frame.loc[name, "val_objective"] == pytest.approx(np.mean(folds))
        assert frame.loc[name, "val_objective_se"] == pytest.approx(np.std(folds, ddof=1) / np.sqrt(3))


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_a_generator_that_stops_fails_the_baseline_naming_the_class(
    context, small_split, tmp_path, monkeypatch
):
    monkeypatch.setenv("AUTOGETS_TEST_LLM_KEY", "sk-autogets-FAKE-key-0123456789abcdef")
    config = GenerationConfig(
        backend="openai",
        model="x",
        base_url=dead_url(),
        api_key_env="AUTOGETS_TEST_LLM_KEY",
        cache_dir=str(tmp_path / "cache"),
        max_in_flight=1,
        max_connection_failures=1,
        timeout_s=5.0,
    )
    with build_generator(config, class_texts(small_split)) as gen:
        with pytest.raises(
            ValueError, match=r"baseline all-examples of class 'Purchase': cannot reach the LLM"
        ):
            score_baselines(context, ["Purchase"], ["all-examples"], gen.generate, SEEDS)


def test_a_generator_that_returns_no_samples_fails_naming_the_class(context):
    def generate(examples: list[Example]) -> GenerationResult:
        return GenerationResult(samples_frame([]), {examples[0].example_id: "reply had no usable line"})

    with pytest.raises(
        ValueError, match="class 'Security': the LLM produced no samples: reply had no usable line"
    ):
        score_baselines(context, ["Security"], ["all-examples"], generate, SEEDS)
