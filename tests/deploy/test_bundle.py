"""The model directory on disk: loads without Ray, refuses what it cannot read, round-trips CatBoost."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from autogets_ray.data.demo import generate_demo_tickets
from autogets_ray.data.splits import paper_split
from autogets_ray.deploy.bundle import FORMAT, FORMAT_VERSION, load_model, model_metadata, save_fitted
from autogets_ray.deploy.export import export_model
from autogets_ray.errors import UserInputError
from autogets_ray.experiment.context import build_context
from tests.conftest import REPO_ROOT as REPO


@pytest.fixture(scope="module")
def model_dir(results, tmp_path_factory):
    return export_model(
        results, tmp_path_factory.mktemp("bundle") / "model", search_id="Security-hsw-cba"
    ).out


@pytest.mark.slow
def test_a_model_directory_loads_and_predicts_in_a_fresh_process_without_ray(model_dir):
    code = (
        "import sys, json, autogets_ray\n"
        f"model = autogets_ray.load_model({str(model_dir)!r})\n"
        "labels = model.predict(['printer out of toner again', 'suspicious login phishing alert'])\n"
        "scores = model.decision_scores(['printer out of toner again'])\n"
        "print(json.dumps({'labels': list(labels), 'shape': list(scores.shape), 'ray': 'ray' in sys.modules}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ray"] is False
    assert out["labels"][0] == "Printing" and len(out["labels"]) == 2
    assert out["shape"] == [1, 7]


@pytest.mark.slow
def test_predictions_match_the_fit_on_the_split_s_rows(results, model_dir):
    import pandas as pd

    model = load_model(model_dir)
    split = pd.read_parquet(results / "split.parquet")
    texts = split.loc[split["part"] == "test", "text"].tolist()
    frame = model.predict_frame(texts)
    assert list(frame.columns) == ["predicted"] + [f"score[{c}]" for c in model.classes]
    assert (frame["predicted"].to_numpy() == model.predict(texts)).all()
    best = frame[[f"score[{c}]" for c in model.classes]].to_numpy().argmax(axis=1)
    assert (np.asarray(model.classes)[best] == frame["predicted"].to_numpy()).all()


@pytest.mark.slow
@pytest.mark.parametrize(
    "change, message",
    [
        (lambda meta: meta.update(format_version=FORMAT_VERSION + 1), "in model-directory format 2"),
        (lambda meta: meta.update(format="something-else"), "not an autogets model directory"),
        (lambda meta: meta.pop("model"), "the 'model' block is missing"),
    ],
)
def test_a_directory_this_version_cannot_read_is_a_clear_error(model_dir, tmp_path, change, message):
    import shutil

    copy = shutil.copytree(model_dir, tmp_path / "model")
    meta = json.loads((copy / "metadata.json").read_text())
    change(meta)
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(UserInputError, match=message):
        load_model(copy)


def test_not_a_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(UserInputError, match="does not exist; create one with `autogets export`"):
        load_model(tmp_path / "nowhere")
    with pytest.raises(UserInputError, match="is not a model directory \\(metadata.json missing\\)"):
        load_model(tmp_path)


@pytest.mark.slow
def test_other_library_versions_warn_and_a_missing_file_is_an_error(model_dir, tmp_path):
    import shutil

    copy = shutil.copytree(model_dir, tmp_path / "model")
    meta = json.loads((copy / "metadata.json").read_text())
    meta["model"]["libraries"]["scikit-learn"] = "0.1.0"
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="scikit-learn 0.1.0"):
        load_model(copy)
    (copy / "model.skops").unlink()
    with pytest.warns(UserWarning), pytest.raises(UserInputError, match="model.skops is missing"):
        load_model(copy)


def test_texts_must_be_a_list_of_texts(model_dir_small):
    model = load_model(model_dir_small)
    with pytest.raises(UserInputError, match="a list of texts, not one string"):
        model.predict("one ticket")
    with pytest.raises(UserInputError, match="positions \\[1\\] are missing"):
        model.predict(["a ticket", None])


@pytest.fixture(scope="module")
def small_split():
    return paper_split(generate_demo_tickets(seed=0, scale=0.15), seed=1, dataset="demo-tickets-small")


def _write(model, featurizer, options, classes, directory):
    directory.mkdir()
    files = save_fitted(model, featurizer, directory)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model_metadata(model, options, classes, files),
    }
    (directory / "metadata.json").write_text(json.dumps(meta))
    return directory


@pytest.fixture(scope="module")
def model_dir_small(small_split, tmp_path_factory):
    context = build_context(small_split, "linear")
    model, _ = context.fit([], [])
    return _write(model, context.featurizer, {}, small_split.classes, tmp_path_factory.mktemp("small") / "m")


def test_catboost_is_stored_as_cbm_beside_its_skops_featuriser_and_predicts_the_same(small_split, tmp_path):
    options = {"iterations": 20, "svd_components": 16, "device": "cpu", "thread_count": 2}
    context = build_context(small_split, "catboost", options)
    model, _ = context.fit(["printer toner empty again"], ["Printing"])
    directory = _write(model, context.featurizer, options, small_split.classes, tmp_path / "cb")
    assert sorted(p.name for p in directory.iterdir()) == ["featurizer.skops", "metadata.json", "model.cbm"]
    loaded = load_model(directory)
    texts = small_split.test["text"].tolist()
    assert np.array_equal(loaded.predict_codes(texts), model.predict(context.x_test))
    assert np.array_equal(
        loaded.decision_scores(texts), model.decision_scores(context.x_test, len(small_split.classes))
    )
    assert loaded.score_kind == "probability"
