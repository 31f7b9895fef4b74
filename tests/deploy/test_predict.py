"""``predict_file``: every input format, one output row per input row, metrics, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from autogets_ray.data.demo import generate_demo_tickets
from autogets_ray.data.reading import _read_table
from autogets_ray.data.splits import paper_split
from autogets_ray.deploy.bundle import FORMAT, FORMAT_VERSION, model_metadata, save_fitted
from autogets_ray.deploy.predict import metrics_table, predict_file
from autogets_ray.errors import UserInputError
from autogets_ray.experiment.context import build_context
from autogets_ray.metrics import evaluate


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A linear model of a small demo split, written as a model directory, and its test rows."""
    split = paper_split(generate_demo_tickets(seed=0, scale=0.15), seed=1, dataset="demo-tickets-small")
    context = build_context(split, "linear")
    model, _ = context.fit([], [])
    directory = tmp_path_factory.mktemp("predict") / "model"
    directory.mkdir()
    files = save_fitted(model, context.featurizer, directory)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": model_metadata(model, {}, split.classes, files),
    }
    (directory / "metadata.json").write_text(json.dumps(meta))
    expected = evaluate(
        context.y_test,
        model.predict(context.x_test),
        split.classes,
        scores=model.decision_scores(context.x_test, len(split.classes)),
    )
    test = split.test.rename(columns={"text": "body", "label": "queue"})[["row_id", "body", "queue"]]
    return directory, test, expected


def _write(frame: pd.DataFrame, path):
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_every_input_format_gives_one_row_per_input_row_and_the_split_s_metrics(fitted, tmp_path, suffix):
    directory, test, expected = fitted
    source = _write(test, tmp_path / f"in{suffix}")
    out = tmp_path / f"out{suffix}"
    result = predict_file(directory, source, "body", out, label_column="queue")
    written = _read_table(out, "utf-8", None)
    assert len(written) == len(test)
    assert list(written.columns[:3]) == ["row_id", "body", "queue"] and "predicted" in written.columns
    assert written["body"].astype(str).tolist() == test["body"].tolist()  # input order kept
    assert result.evaluation.flat() == pytest.approx(expected.flat(), nan_ok=True)
    table = metrics_table(result.evaluation)
    assert table["class"].tolist()[-1] == "overall" and table["support"].iloc[-1] == len(test)


def test_without_labels_there_are_no_metrics(fitted, tmp_path):
    directory, test, _ = fitted
    result = predict_file(directory, _write(test[["body"]], tmp_path / "in.csv"), "body")
    assert result.evaluation is None
    assert len(result.frame) == len(test) and result.frame["predicted"].notna().all()


@pytest.mark.parametrize(
    "frame, kwargs, message",
    [
        (
            pd.DataFrame({"body": ["a"]}),
            {"text_column": "text"},
            "has no column 'text' \\(--text-column\\); its columns are body",
        ),
        (pd.DataFrame({"body": []}), {"text_column": "body"}, "holds no rows; nothing to predict"),
        (
            pd.DataFrame({"body": ["ok", None, " "]}),
            {"text_column": "body"},
            "2 empty or missing texts, at rows 1, 2",
        ),
        (
            pd.DataFrame({"body": ["a"]}),
            {"text_column": "body", "label_column": "queue"},
            "has no column 'queue' \\(--label-column\\)",
        ),
        (
            pd.DataFrame({"body": ["a"], "queue": ["Nope"]}),
            {"text_column": "body", "label_column": "queue"},
            "label\\(s\\) the model does not know: 'Nope'",
        ),
        (
            pd.DataFrame({"body": ["a"], "predicted": ["x"]}),
            {"text_column": "body"},
            "already has column\\(s\\) predicted",
        ),
    ],
)
def test_bad_input_is_a_clear_error(fitted, tmp_path, frame, kwargs, message):
    directory, _, _ = fitted
    source = _write(frame, tmp_path / "in.parquet")
    with pytest.raises(UserInputError, match=message):
        predict_file(directory, source, **kwargs)


def test_a_missing_input_or_an_unknown_output_format_is_a_clear_error(fitted, tmp_path):
    directory, test, _ = fitted
    with pytest.raises(UserInputError, match="--input .*nope.csv does not exist"):
        predict_file(directory, tmp_path / "nope.csv", "body")
    source = _write(test, tmp_path / "in.csv")
    with pytest.raises(UserInputError, match="unsupported suffix '.xlsx'"):
        predict_file(directory, source, "body", tmp_path / "out.xlsx")
