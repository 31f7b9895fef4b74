"""``autogets predict``: classify the texts of a file with an exported model (no Ray).

Input: CSV, TSV, Parquet or JSON lines (or a zip holding one), read as every other command reads
data. Output: the input's columns, then ``predicted`` and one ``score[<class>]`` column per class,
one row per input row, in the input's order; the output's format follows its suffix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.data.reading import SUPPORTED_SUFFIXES, _read_table
from autogets_ray.deploy.bundle import DeployedModel, load_model
from autogets_ray.errors import UserInputError
from autogets_ray.metrics import Evaluation, evaluate

OUTPUT_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson")


@dataclass
class Prediction:
    frame: pd.DataFrame  # the input's columns + predicted + score[<class>]
    evaluation: Evaluation | None  # with a label column
    model: DeployedModel


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _rows(index: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(i) for i in index[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def read_input(
    path: str | Path, text_column: str, label_column: str | None = None, encoding: str = "utf-8"
) -> pd.DataFrame:
    """The input table, checked: it exists, has rows, the columns and a text in every row."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise UserInputError(f"--input {path} {what}; give a {'/'.join(SUPPORTED_SUFFIXES)} file (or a .zip)")
    frame = _read_table(path, encoding, None)
    for option, column in (("--text-column", text_column), ("--label-column", label_column)):
        if column is not None and column not in frame.columns:
            raise UserInputError(
                f"{path}: has no column {column!r} ({option}); its columns are "
                f"{', '.join(map(str, frame.columns))}"
            )
    if frame.empty:
        raise UserInputError(f"{path}: holds no rows; nothing to predict")
    empty = [i for i, v in enumerate(frame[text_column].tolist()) if _missing(v)]
    if empty:
        raise UserInputError(
            f"{path}: column {text_column!r} has {len(empty)} empty or missing texts, at rows "
            f"{_rows(empty)} (0-based data rows); fill or remove them"
        )
    return frame


def _labels(frame: pd.DataFrame, column: str, classes: list[str], where: str) -> np.ndarray:
    values = frame[column].tolist()
    missing = [i for i, v in enumerate(values) if _missing(v)]
    if missing:
        raise UserInputError(
            f"{where}: column {column!r} has no label at rows {_rows(missing)}; fill or remove them"
        )
    codes = {c: i for i, c in enumerate(classes)}
    unknown = sorted({str(v) for v in values} - set(codes))
    if unknown:
        raise UserInputError(
            f"{where}: column {column!r} holds label(s) the model does not know: {', '.join(map(repr, unknown[:5]))}; "
            f"its classes are {', '.join(classes)}"
        )
    return np.asarray([codes[str(v)] for v in values], dtype=np.int64)


def predict_table(
    model: DeployedModel,
    frame: pd.DataFrame,
    text_column: str,
    label_column: str | None = None,
    where: str = "input",
) -> Prediction:
    """Predictions for ``frame``'s texts, appended to its columns (and metrics with ``label_column``)."""
    taken = [c for c in ["predicted", *(f"score[{c}]" for c in model.classes)] if c in frame.columns]
    if taken:
        raise UserInputError(f"{where}: already has column(s) {', '.join(taken)}; rename them first")
    texts = [str(v) for v in frame[text_column].tolist()]
    predictions = model.predict_frame(texts)
    out = pd.concat([frame.reset_index(drop=True), predictions], axis=1)
    evaluation = None
    if label_column is not None:
        y = _labels(frame, label_column, model.classes, where)
        codes = np.asarray([model.classes.index(p) for p in predictions["predicted"]], dtype=np.int64)
        scores = predictions[[f"score[{c}]" for c in model.classes]].to_numpy(dtype=float)
        evaluation = evaluate(y, codes, model.classes, scores=scores)
    return Prediction(out, evaluation, model)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` in the format of ``path``'s suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise UserInputError(
            f"--out {path}: unsupported suffix {suffix!r}; use one of {', '.join(OUTPUT_SUFFIXES)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


def metrics_table(evaluation: Evaluation) -> pd.DataFrame:
    """Per class support, CR, CBA, F1 and AUC, then an ``overall`` row (accuracy, OBA, OF1)."""
    pc = evaluation.per_class
    auc = evaluation.auc if evaluation.auc is not None else np.full(len(evaluation.classes), np.nan)
    rows = [
        {
            "class": name,
            "support": int(pc.support[i]),
            "recall": float(pc.recall[i]),
            "cba": float(pc.balanced_accuracy[i]),
            "f1": float(pc.f1[i]),
            "auc": float(auc[i]),
        }
        for i, name in enumerate(evaluation.classes)
    ]
    rows.append(
        {
            "class": "overall",
            "support": int(pc.support.sum()),
            "recall": evaluation.accuracy,
            "cba": evaluation.oba,
            "f1": evaluation.of1,
            "auc": float("nan"),
        }
    )
    return pd.DataFrame(rows)


def predict_file(
    model_dir: str | Path,
    input_path: str | Path,
    text_column: str = "text",
    out: str | Path | None = None,
    label_column: str | None = None,
    encoding: str = "utf-8",
) -> Prediction:
    """Load the model, read and check the input, predict, and write ``out`` when given."""
    if out is not None and Path(out).suffix.lower() not in OUTPUT_SUFFIXES:
        write_table(pd.DataFrame(), out)  # the unsupported-suffix error, before any work
    model = load_model(model_dir)
    frame = read_input(input_path, text_column, label_column, encoding)
    result = predict_table(model, frame, text_column, label_column, where=str(input_path))
    if out is not None:
        write_table(result.frame, out)
    return result
