from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from autogets_ray.data.validation import validate_labelled_texts


def frame(texts, labels):
    return pd.DataFrame({"row_id": range(len(texts)), "text": texts, "label": labels})


def balanced(n_per_class=12, classes=("a", "b")):
    labels = [c for c in classes for _ in range(n_per_class)]
    return frame([f"text {i}" for i in range(len(labels))], labels)


def test_clean_frame_passes_unchanged():
    data = balanced()
    out = validate_labelled_texts(data, "f.csv")
    assert out["text"].tolist() == data["text"].tolist()


def test_empty_and_non_string_texts_name_column_and_rows():
    data = balanced()
    data.loc[3, "text"] = "   "
    data.loc[7, "text"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"f\.csv: column 'text' has 1 empty and 1 missing or non-string texts, at rows 3, 7.*--drop-invalid-rows",
    ):
        validate_labelled_texts(data, "f.csv")


def test_drop_invalid_rows_drops_and_warns(caplog):
    data = balanced()
    data.loc[3, "text"] = ""
    data.loc[5, "label"] = None
    with caplog.at_level(logging.WARNING):
        out = validate_labelled_texts(data, "f.csv", drop_invalid_rows=True)
    assert len(out) == len(data) - 2
    assert 3 not in out["row_id"].tolist() and 5 not in out["row_id"].tolist()
    assert "dropping" in caplog.text


def test_missing_labels_are_reported():
    data = balanced()
    data.loc[0, "label"] = None
    with pytest.raises(ValueError, match=r"column 'label' has 1 missing labels at rows 0"):
        validate_labelled_texts(data, "f.csv")


def test_class_too_small_to_split_names_it_and_offers_drop(caplog):
    data = pd.concat([balanced(), frame(["x1", "x2", "x3"], ["tiny"] * 3)], ignore_index=True)
    data["row_id"] = range(len(data))
    with pytest.raises(ValueError, match=r"too small to split.*'tiny' \(3\).*--drop-small-classes"):
        validate_labelled_texts(data, "f.csv")
    with caplog.at_level(logging.WARNING):
        out = validate_labelled_texts(data, "f.csv", drop_small_classes=True)
    assert "tiny" not in set(out["label"])
    assert "tiny" in caplog.text


def test_single_class_is_rejected():
    data = balanced(classes=("only",))
    with pytest.raises(ValueError, match=r"single class \('only'\)"):
        validate_labelled_texts(data, "f.csv")


def test_numeric_labels_become_strings():
    data = frame([f"t{i}" for i in range(24)], [1] * 12 + [2] * 12)
    out = validate_labelled_texts(data, "f.csv")
    assert set(out["label"]) == {"1", "2"}
