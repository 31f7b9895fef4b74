from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from autogets_ray.data.reading import read_labelled_texts

ROWS = pd.DataFrame({"body": ["printer jam", "vpn down", "new laptop"], "queue": ["P", "N", "H"]})


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_reads_every_format_with_configurable_columns(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        ROWS.to_csv(path, index=False)
    elif suffix == ".tsv":
        ROWS.to_csv(path, index=False, sep="\t")
    elif suffix == ".parquet":
        ROWS.to_parquet(path)
    else:
        path.write_text("\n".join(json.dumps(r) for r in ROWS.to_dict("records")))
    out = read_labelled_texts(path, "body", "queue")
    assert list(out.columns) == ["row_id", "text", "label"]
    assert out["text"].tolist() == ROWS["body"].tolist()
    assert out["label"].tolist() == ROWS["queue"].tolist()
    assert out["row_id"].tolist() == [0, 1, 2]


def test_reads_the_single_table_inside_a_zip(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inner/data.csv", ROWS.to_csv(index=False))
    out = read_labelled_texts(path, "body", "queue")
    assert out["label"].tolist() == ["P", "N", "H"]


def test_zip_with_two_tables_asks_for_a_member(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", ROWS.to_csv(index=False))
        archive.writestr("b.csv", ROWS.to_csv(index=False))
    with pytest.raises(ValueError, match=r"exactly one data file.*a\.csv, b\.csv.*member"):
        read_labelled_texts(path, "body", "queue")
    assert len(read_labelled_texts(path, "body", "queue", member="b.csv")) == 3


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"nope\.csv does not exist"):
        read_labelled_texts(tmp_path / "nope.csv", "body", "queue")


def test_missing_column_lists_the_columns_and_the_option(tmp_path):
    path = tmp_path / "t.csv"
    ROWS.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"no text column 'text'.*body, queue.*--text-column"):
        read_labelled_texts(path, "text", "queue")
    with pytest.raises(ValueError, match=r"no label column 'label'.*--label-column"):
        read_labelled_texts(path, "body", "label")


def test_undecodable_bytes_name_the_file_position_and_fix(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("body,queue\ncaf\xe9 printer,P\n".encode("latin-1"))
    with pytest.raises(
        ValueError, match=r"latin\.csv: bytes at position \d+ are not valid utf-8.*--encoding"
    ):
        read_labelled_texts(path, "body", "queue")
    out = read_labelled_texts(path, "body", "queue", encoding="latin-1")
    assert out["text"].iloc[0] == "café printer"


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match=r"unsupported file type '\.xlsx'"):
        read_labelled_texts(path, "body", "queue")
