"""Read a labelled text table from CSV, TSV, Parquet, JSON lines, or a zip holding one of them.

The result is always a DataFrame with two columns, ``text`` and ``label``, plus ``row_id``: the
row's position in the source file, which stays the example's id everywhere downstream.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from autogets_ray.errors import UserInputError

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


def _reader_for(name: str):
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return lambda fh, enc: pd.read_csv(fh, encoding=enc, dtype=str, keep_default_na=False, na_values=[""])
    if suffix == ".tsv":
        return lambda fh, enc: pd.read_csv(
            fh, sep="\t", encoding=enc, dtype=str, keep_default_na=False, na_values=[""]
        )
    if suffix in (".parquet", ".pq"):
        return lambda fh, enc: pd.read_parquet(fh)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return lambda fh, enc: pd.read_json(fh, lines=True, encoding=enc, dtype=False)
    return None


def _read_table(path: Path, encoding: str, member: str | None) -> pd.DataFrame:
    if path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise UserInputError(
                f"{path}: not a valid zip archive; re-create it or pass the table directly"
            ) from None
        with archive:
            tables = [n for n in archive.namelist() if _reader_for(n) and not n.endswith("/")]
            if member is not None:
                if member not in archive.namelist():
                    raise UserInputError(
                        f"{path}: has no member {member!r}; members: {', '.join(archive.namelist())}"
                    )
                tables = [member]
            if len(tables) != 1:
                found = ", ".join(tables) or "none"
                raise UserInputError(
                    f"{path}: expected exactly one data file ({'/'.join(SUPPORTED_SUFFIXES)}) inside "
                    f"the zip, found {found}; name one with the member option"
                )
            raw = archive.read(tables[0])
        reader = _reader_for(tables[0])
        return _decode(lambda: reader(io.BytesIO(raw), encoding), f"{path}!{tables[0]}", encoding)
    reader = _reader_for(path.name)
    if reader is None:
        raise UserInputError(
            f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(SUPPORTED_SUFFIXES)} or a .zip"
        )
    return _decode(lambda: reader(path, encoding), str(path), encoding)


def _decode(read, where: str, encoding: str) -> pd.DataFrame:
    try:
        return read()
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"{where}: bytes at position {exc.start} are not valid {encoding} ({exc.reason}); "
            f"re-save the file as UTF-8 or pass the right encoding (e.g. --encoding latin-1)"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise UserInputError(f"{where}: could not be parsed ({exc}); check the file format") from None


def read_labelled_texts(
    path: str | Path,
    text_column: str,
    label_column: str,
    encoding: str = "utf-8",
    member: str | None = None,
) -> pd.DataFrame:
    """Read ``path`` and return columns ``row_id, text, label`` (no validation of values yet)."""
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"data file {path} does not exist; check the path (or the data directory)")
    if path.is_dir():
        raise UserInputError(
            f"{path} is a directory; pass a data file ({', '.join(SUPPORTED_SUFFIXES)} or .zip)"
        )
    frame = _read_table(path, encoding, member)
    for option, column in (("text column", text_column), ("label column", label_column)):
        if column not in frame.columns:
            raise UserInputError(
                f"{path}: has no {option} {column!r}; its columns are "
                f"{', '.join(map(str, frame.columns))}; pass --{option.replace(' ', '-')} NAME"
            )
    out = pd.DataFrame(
        {
            "row_id": range(len(frame)),
            "text": frame[text_column].to_numpy(dtype=object),
            "label": frame[label_column].to_numpy(dtype=object),
        }
    )
    out.attrs["source"] = str(path)
    out.attrs["text_column"] = text_column
    out.attrs["label_column"] = label_column
    return out
