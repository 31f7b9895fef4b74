"""``export_model`` on a real experiment: which configuration, its training set, its metadata and card."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from autogets_ray.deploy.export import export_model
from autogets_ray.errors import UserInputError
from autogets_ray.experiment.results import best_trial
from tests.deploy.helpers import copy_results, recommend

pytestmark = pytest.mark.slow


def trial_row(results, search_id: str, candidate_id: str) -> pd.Series:
    trials = pd.read_parquet(results / "trials.parquet")
    return trials[(trials["search_id"] == search_id) & (trials["candidate_id"] == candidate_id)].iloc[0]


def recorded_test(row: pd.Series | dict) -> dict[str, float]:
    return {
        k[len("test_") :]: float(v)
        for k, v in dict(row).items()
        if k.startswith("test_") and not k.startswith("test_objective")
    }


def assert_test_metrics_equal(exported: dict[str, float], recorded: dict[str, float]) -> None:
    assert recorded
    for key, value in recorded.items():
        if value == value:  # NaN (an AUC without positives) compares unequal to itself
            assert exported[key] == value, key


@pytest.fixture(scope="module")
def best_hsw(results) -> pd.Series:
    trials = pd.read_parquet(results / "trials.parquet")
    return best_trial(trials[trials["search_id"] == "Security-hsw-cba"])


@pytest.fixture(scope="module")
def search_export(results, best_hsw, tmp_path_factory):
    return export_model(results, tmp_path_factory.mktemp("exports") / "search", search_id="Security-hsw-cba")


def test_default_export_is_each_class_s_recommendation_and_reproduces_it(results, tmp_path):
    summary = pd.read_csv(results / "summary.csv")
    meta = export_model(results, tmp_path / "model").metadata
    decisions = {d["target_class"]: d for d in meta["selection"]["decisions"]}
    assert set(decisions) == {"Security", "Purchase"}
    for target, decision in decisions.items():
        rows = summary[summary["target_class"] == target]
        assert decision["recommendation"] in set(rows["recommendation"])
        assert decision["searches_compared"] == 2
    m0 = json.loads((results / "m0.json").read_text())
    kinds = {d["recommendation_kind"] for d in decisions.values()}
    if kinds == {"m0"}:  # what this small run recommends: the model is M0, to the last digit
        assert meta["selection"]["parts"] == []
        assert meta["metrics"]["exported"]["test"] == pytest.approx(m0["test"], abs=0, nan_ok=True)
        assert meta["training_set"]["synthetic_rows"] == 0
    assert meta["metrics"]["reproduction"]["reproduced"] is True
    assert meta["metrics"]["m0"]["test"] == m0["test"]
    for name in ("model_card.md", "metadata.json", "training_set.parquet", "model.skops"):
        assert (tmp_path / "model" / name).is_file()


def test_search_export_is_the_recorded_fit_with_its_rows_and_provenance(results, best_hsw, search_export):
    meta, training = search_export.metadata, search_export.training_set
    assert meta["selection"]["parts"][0]["candidate_id"] == best_hsw["candidate_id"]
    assert meta["metrics"]["reproduction"]["reproduced"] is True
    assert meta["metrics"]["reproduction"]["splits"] == ["val", "test"]
    assert_test_metrics_equal(meta["metrics"]["exported"]["test"], recorded_test(best_hsw))
    # every real training row, in the split's order, then the trial's synthetic samples
    split = pd.read_parquet(results / "split.parquet")
    real = training[training["origin"] == "real"]
    assert real["row_id"].tolist() == split.loc[split["part"] == "train", "row_id"].tolist()
    synthetic = training[training["origin"] == "synthetic"]
    assert len(synthetic) == int(best_hsw["n_synthetic"]) > 0
    assert training.index[training["origin"] == "synthetic"].min() == len(real)
    assert set(synthetic["source_id"]) <= set(json.loads(best_hsw["example_ids"]))
    assert (synthetic["label"] == "Security").all() and (synthetic["sample_index"] >= 0).all()
    assert set(synthetic["backend"]) == {"ngram"}
    assert synthetic["llm_model"].str.startswith("word-3gram").all()
    assert set(synthetic["prompt_template"]) == {"paper"} and set(synthetic["prompt_version"]) == {1}
    stored = pd.read_parquet(results / "best_samples.parquet")
    stored = stored[stored["search_id"] == "Security-hsw-cba"]
    assert synthetic["text"].tolist() == stored["text"].tolist()
    # the training set file is what the metadata counts
    on_disk = pd.read_parquet(search_export.out / "training_set.parquet")
    assert meta["training_set"]["rows"] == len(on_disk) == len(training)
    assert meta["training_set"]["by_class"]["Security"]["synthetic"] == len(synthetic)


def test_the_card_states_the_choice_the_comparison_and_the_ngram_warning(search_export):
    card = (search_export.out / "model_card.md").read_text()
    meta = json.loads((search_export.out / "metadata.json").read_text())
    assert "offline `ngram` backend" in card and any("ngram" in w for w in meta["warnings"])
    assert "Security-hsw-cba" in card and "reproduces the metrics recorded in trials.parquet" in card
    for heading in (
        "M0 vs the exported model: validation",
        "M0 vs the exported model: test",
        "No-search baselines",
    ):
        assert heading in card
    assert {"scikit-learn", "skops", "autogets-ray", "python"} <= set(meta["packages"])
    assert meta["generation"]["llm"] == {"backend": "ngram"}
    assert meta["generation"]["settings"]["samples_per_example"] == 5
    assert {b["baseline"] for b in meta["baselines"]} == {"m0", "all-examples", "duplicate", "class-weight"}


def test_secrets_in_the_environment_never_reach_the_model_directory(results, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value-123")
    out = export_model(results, tmp_path / "model", search_id="Security-random-cba").out
    for name in ("metadata.json", "model_card.md"):
        assert "sk-test-secret-value-123" not in (out / name).read_text()


def test_another_candidate_s_samples_come_from_the_generation_cache(results, tmp_path):
    trials = pd.read_parquet(results / "trials.parquet")
    group = trials[trials["search_id"] == "Security-random-cba"]
    other = group[group["candidate_id"] != best_trial(group)["candidate_id"]].iloc[0]
    meta = export_model(
        results, tmp_path / "model", search_id="Security-random-cba", candidate_id=other["candidate_id"]
    ).metadata
    assert meta["generation"]["regenerated_examples"] == 0  # every example was in the search's cache
    assert meta["metrics"]["reproduction"]["reproduced"] is True
    assert meta["training_set"]["synthetic_rows"] == int(other["n_synthetic"])
    assert_test_metrics_equal(meta["metrics"]["exported"]["test"], recorded_test(other))


@pytest.mark.parametrize("baseline", ["all-examples", "duplicate", "class-weight"])
def test_a_recommended_baseline_is_retrained_as_the_experiment_did(results, tmp_path, baseline):
    copy = copy_results(results, tmp_path / "res")
    recommend(copy, "Purchase", f"use-{baseline}", "baseline")
    result = export_model(copy, tmp_path / "model", classes=["Purchase"])
    meta, training = result.metadata, result.training_set
    table = pd.read_parquet(copy / "baselines.parquet")
    row = table[(table["target_class"] == "Purchase") & (table["baseline"] == baseline)].iloc[0]
    assert meta["metrics"]["reproduction"]["reproduced"] is True
    assert_test_metrics_equal(meta["metrics"]["exported"]["test"], recorded_test(row))
    added = training[training["origin"] != "real"]
    assert len(added) == int(row["n_added"])
    origin = {"all-examples": {"synthetic"}, "duplicate": {"duplicate"}, "class-weight": set()}[baseline]
    assert set(added["origin"]) == origin
    if baseline == "class-weight":
        assert meta["selection"]["fit_options"] == {"class_weight": "balanced"}
        assert meta["model"]["options"]["class_weight"] == "balanced"


def test_two_classes_recommendations_are_combined_and_said_so(results, tmp_path, best_hsw):
    copy = copy_results(results, tmp_path / "res")
    recommend(copy, "Security", str(best_hsw["candidate_id"]), "search")
    table = pd.read_parquet(copy / "summary.parquet")
    table.loc[table["search_id"] == "Security-random-cba", "recommended_val_delta"] = 0.0  # hsw's wins
    table.to_parquet(copy / "summary.parquet", index=False)
    recommend(copy, "Purchase", "use-all-examples", "baseline")
    result = export_model(copy, tmp_path / "model")
    meta, training = result.metadata, result.training_set
    assert [p["description"] for p in meta["selection"]["parts"]] == [
        f"search Security-hsw-cba candidate {best_hsw['candidate_id']}",
        "baseline all-examples of Purchase",
    ]
    counts = training[training["origin"] == "synthetic"].groupby("label").size()
    assert counts["Security"] == int(best_hsw["n_synthetic"]) and counts["Purchase"] > 0
    assert meta["selection"]["combined"] is True
    assert meta["metrics"]["reproduction"]["reproduced"] is None
    assert any("combines the choices of several classes" in w for w in meta["warnings"])
    # one class alone is a recorded fit again
    alone = export_model(copy, tmp_path / "alone", classes=["Security"]).metadata
    assert alone["metrics"]["reproduction"]["reproduced"] is True


def test_refit_on_train_and_val_uses_both_and_keeps_the_check_of_the_train_fit(results, tmp_path):
    meta = export_model(
        results, tmp_path / "model", search_id="Security-hsw-cba", refit_on="train+val"
    ).metadata
    sizes = meta["data"]["split_sizes"]
    assert meta["training_set"]["real_rows"] == sizes["train"] + sizes["val"]
    assert meta["training_set"]["refit_on"] == "train+val"
    assert meta["metrics"]["exported_val_in_training"] is True
    assert meta["metrics"]["reproduction"]["reproduced"] is True  # the train-only fit, as recorded
    assert "in-sample" in (tmp_path / "model" / "model_card.md").read_text()


def test_ensemble_export_holds_its_accepted_steps(results, tmp_path):
    result = json.loads((results / "ensemble" / "r3-Security" / "result.json").read_text())
    assert result["steps"], "the shared ensemble accepted no step"
    exported = export_model(results, tmp_path / "model", ensemble="r3-Security")
    meta, training = exported.metadata, exported.training_set
    parts = [(p["search_id"], p["candidate_id"]) for p in meta["selection"]["parts"]]
    assert sorted(parts) == sorted((s["search_id"], s["candidate_id"]) for s in result["steps"])
    assert meta["metrics"]["reproduction"]["reproduced"] is True
    assert meta["metrics"]["exported"]["test"]["oba"] == result["test"]["oba"]["final"]
    assert meta["training_set"]["synthetic_rows"] == result["n_synthetic"]
    assert set(training.loc[training["origin"] == "synthetic", "chosen_by"]) == {
        f"ensemble step {s} candidate {c}" for s, c in parts
    }


def test_an_existing_output_is_kept_unless_overwrite(results, tmp_path, search_export):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(UserInputError, match="exists and is not an empty directory"):
        export_model(results, tmp_path / "busy")
    with pytest.raises(UserInputError, match="pass --overwrite"):
        export_model(results, search_export.out)
