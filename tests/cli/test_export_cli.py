"""``autogets export`` and ``autogets predict`` on a real experiment, and their errors (exit 2)."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from tests.deploy.helpers import cache_dir, copy_results, shared_results, write_test_split

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory, small_experiment):
    root = shared_results(tmp_path_factory, small_experiment)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOGETS_CACHE_DIR", str(cache_dir(root)))
        yield root


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def model_dir(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    result = invoke("export", results, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "reproduced" in result.output
    return out


def test_export_then_predict_on_the_test_split_reproduces_the_recorded_test_metrics(
    results, model_dir, tmp_path
):
    for name in ("model_card.md", "metadata.json", "training_set.parquet"):
        assert (model_dir / name).is_file()
    source = write_test_split(results, tmp_path / "test.csv")
    pred = tmp_path / "pred.csv"
    result = invoke(
        "predict",
        model_dir,
        "--input",
        source,
        "--text-column",
        "text",
        "--out",
        pred,
        "--label-column",
        "label",
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(pred)
    assert len(written) == len(pd.read_csv(source)) and "predicted" in written.columns
    # the exported choice is every class's recommendation; the recorded metrics are its own
    meta = json.loads((model_dir / "metadata.json").read_text())
    recorded = meta["metrics"]["recorded"]["source"]
    expected = (
        json.loads((results / "m0.json").read_text())["test"] if recorded.startswith("m0.json") else None
    )
    assert expected is not None, f"the small run now recommends {recorded}; extend this test"
    from autogets_ray.deploy.predict import predict_file

    evaluation = predict_file(model_dir, source, "text", label_column="label").evaluation
    for key, value in evaluation.flat().items():
        if value == value:
            assert value == expected[key], key  # exactly, not approximately
    assert f"{expected['oba']:.4f}" in result.output and "overall" in result.output


def test_search_export_then_predict_reproduces_the_trial_s_test_metrics(results, tmp_path):
    out = tmp_path / "model"
    result = invoke("export", results, "--out", out, "--search", "Security-hsw-cba", "--quiet")
    assert result.exit_code == 0, result.output
    assert "reproduced" in result.output and "synthetic" in result.output
    source = write_test_split(results, tmp_path / "test.csv")
    from autogets_ray.deploy.predict import predict_file

    evaluation = predict_file(out, source, "text", label_column="label").evaluation
    candidate = json.loads((out / "metadata.json").read_text())["selection"]["parts"][0]["candidate_id"]
    trials = pd.read_parquet(results / "trials.parquet")
    row = trials[(trials["search_id"] == "Security-hsw-cba") & (trials["candidate_id"] == candidate)].iloc[0]
    for key, value in evaluation.flat().items():
        assert value == row[f"test_{key}"] or value != value, key


def test_predict_without_out_writes_csv_to_stdout(model_dir, tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"body": ["printer out of toner", "cannot log in, password expired"]}).to_csv(
        source, index=False
    )
    result = invoke("predict", model_dir, "--input", source, "--text-column", "body")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("body,predicted,score[") and len(lines) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--search", "Nope-sw-cba"], "has no search 'Nope-sw-cba'; its searches are: Security-hsw-cba"),
        (
            ["--search", "Security-hsw-cba", "--candidate", "x9"],
            "search 'Security-hsw-cba' has no candidate 'x9'",
        ),
        (["--candidate", "x9"], "--candidate needs --search SEARCH_ID"),
        (["--ensemble", "r9"], "has no ensemble 'r9' .*its ensembles are: r3-Security"),
        (
            ["--recommended", "--ensemble", "r3-Security"],
            "choose one of --recommended, --search and --ensemble",
        ),
        (
            ["--class", "Hardware"],
            "--class 'Hardware' was not searched .*target classes are: Security, Purchase",
        ),
        (["--objective", "oba"], "--objective 'oba': .* searched the objective\\(s\\) cba only"),
    ],
)
def test_bad_export_choice_is_a_clear_error(results, tmp_path, args, message):
    result = invoke("export", results, "--out", tmp_path / "model", "--quiet", *args)
    assert result.exit_code == 2, result.output
    assert "Error: " in result.output and "internal error" not in result.output
    assert re.search(message, result.output), result.output
    assert not (tmp_path / "model").exists()


def test_bad_results_directories_are_clear_errors(results, tmp_path):
    result = invoke("export", tmp_path / "none", "--out", tmp_path / "m")
    assert (
        result.exit_code == 2 and "does not exist; give the --out of `autogets quickstart`" in result.output
    )
    (tmp_path / "empty").mkdir()
    result = invoke("export", tmp_path / "empty", "--out", tmp_path / "m")
    assert result.exit_code == 2 and "holds no experiment (config.yaml missing)" in result.output
    copy = copy_results(results, tmp_path / "res")
    (copy / "summary.parquet").unlink()
    (copy / "summary.csv").unlink()
    result = invoke("export", copy, "--out", tmp_path / "m")
    assert result.exit_code == 2 and "holds no summary.parquet" in result.output
    config = (copy / "config.yaml").read_text().replace("split_seeds: null", "split_seeds: [0, 1]")
    (copy / "config.yaml").write_text(config)
    result = invoke("export", copy, "--out", tmp_path / "m")
    assert (
        result.exit_code == 2 and "holds one experiment per split seed; export one of them" in result.output
    )


def test_bad_predict_input_is_a_clear_error(model_dir, tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"body": ["a ticket"]}).to_csv(source, index=False)
    result = invoke("predict", model_dir, "--input", source, "--text-column", "text")
    assert (
        result.exit_code == 2
        and "has no column 'text' (--text-column); its columns are body" in result.output
    )
    source.write_text("body\n")
    result = invoke("predict", model_dir, "--input", source, "--text-column", "body")
    assert result.exit_code == 2 and "holds no rows; nothing to predict" in result.output
    old = shutil.copytree(model_dir, tmp_path / "old-model")
    meta = json.loads((old / "metadata.json").read_text())
    meta["format_version"] = 99
    (old / "metadata.json").write_text(json.dumps(meta))
    result = invoke("predict", old, "--input", source, "--text-column", "body")
    assert result.exit_code == 2
    assert "in model-directory format 99; this autogets-ray (0.1.0) reads format 1 only" in result.output
