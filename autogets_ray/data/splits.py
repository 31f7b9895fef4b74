"""The paper's stratified splits (80/20 train+val/test, then 80/20 train/val), persisted per run.

A split is saved as ``split.parquet`` (row_id, text, label, part) plus ``split.json`` (seed,
classes, fingerprint) so every trial, worker and resumed run sees exactly the same rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError

PARTS = ("train", "val", "test")
SPLIT_FILE = "split.parquet"
SPLIT_META = "split.json"


def fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of (row_id, text, label): the identity of a dataset version."""
    digest = hashlib.sha256()
    for row_id, text, label in zip(frame["row_id"], frame["text"], frame["label"]):
        digest.update(f"{row_id}\x1f{text}\x1f{label}\x1e".encode("utf-8"))
    return digest.hexdigest()


@dataclass
class Split:
    """Rows of one dataset assigned to train / val / test, with class names fixed once."""

    frame: pd.DataFrame  # row_id, text, label, part
    classes: list[str]
    seed: int
    dataset: str = ""
    source_fingerprint: str = ""
    _codes: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._codes = {name: i for i, name in enumerate(self.classes)}

    def part(self, name: str) -> pd.DataFrame:
        if name not in PARTS:
            raise ValueError(f"unknown split part {name!r}; choose one of {', '.join(PARTS)}")
        return self.frame[self.frame["part"] == name].reset_index(drop=True)

    @property
    def train(self) -> pd.DataFrame:
        return self.part("train")

    @property
    def val(self) -> pd.DataFrame:
        return self.part("val")

    @property
    def test(self) -> pd.DataFrame:
        return self.part("test")

    def encode_labels(self, labels) -> np.ndarray:
        """Class names -> integer codes (indices into :attr:`classes`)."""
        try:
            return np.fromiter((self._codes[str(v)] for v in labels), dtype=np.int64)
        except KeyError as exc:
            raise ValueError(
                f"label {exc.args[0]!r} is not one of this split's classes: {', '.join(self.classes)}"
            ) from None

    def class_code(self, name: str) -> int:
        if name not in self._codes:
            raise UserInputError(f"unknown class {name!r}; classes are: {', '.join(self.classes)}")
        return self._codes[name]

    def class_sizes(self) -> pd.Series:
        """Examples per class over the whole dataset, largest first."""
        return self.frame["label"].value_counts().reindex(self.classes).sort_values(ascending=False)

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.frame.to_parquet(directory / SPLIT_FILE, index=False)
        meta = {
            "seed": self.seed,
            "classes": self.classes,
            "dataset": self.dataset,
            "source_fingerprint": self.source_fingerprint,
            "sizes": {p: int((self.frame["part"] == p).sum()) for p in PARTS},
        }
        (directory / SPLIT_META).write_text(json.dumps(meta, indent=2))
        return directory / SPLIT_FILE

    @classmethod
    def load(cls, directory: str | Path) -> "Split":
        directory = Path(directory)
        meta_path = directory / SPLIT_META
        if not meta_path.exists() or not (directory / SPLIT_FILE).exists():
            raise UserInputError(f"{directory} holds no saved split ({SPLIT_FILE} + {SPLIT_META})")
        meta = json.loads(meta_path.read_text())
        frame = pd.read_parquet(directory / SPLIT_FILE)
        frame["text"] = frame["text"].to_numpy(dtype=object)
        frame["label"] = frame["label"].to_numpy(dtype=object)
        return cls(
            frame=frame,
            classes=list(meta["classes"]),
            seed=int(meta["seed"]),
            dataset=meta.get("dataset", ""),
            source_fingerprint=meta.get("source_fingerprint", ""),
        )


def paper_split(
    data: pd.DataFrame,
    seed: int = 42,
    test_size: float = 0.2,
    val_size: float = 0.2,
    dataset: str = "",
) -> Split:
    """Stratified ``test_size`` hold-out, then stratified ``val_size`` of the rest (paper §4.1)."""
    from sklearn.model_selection import train_test_split

    for name, value in (("test_size", test_size), ("val_size", val_size)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    labels = data["label"].astype(str).to_numpy()
    index = np.arange(len(data))
    try:
        rest, test = train_test_split(index, test_size=test_size, stratify=labels, random_state=seed)
        train, val = train_test_split(rest, test_size=val_size, stratify=labels[rest], random_state=seed)
    except ValueError as exc:
        raise UserInputError(
            f"cannot split {dataset or 'the data'} stratified ({exc}); every class needs enough "
            f"examples for train, val and test: drop or merge the smallest classes"
        ) from None
    part = np.empty(len(data), dtype=object)
    part[train], part[val], part[test] = "train", "val", "test"
    frame = pd.DataFrame(
        {
            "row_id": data["row_id"].to_numpy(),
            "text": data["text"].to_numpy(dtype=object),
            "label": labels.astype(object),
            "part": part,
        }
    )
    classes = sorted(set(labels))
    return Split(frame, classes, seed, dataset=dataset, source_fingerprint=fingerprint(data))


def load_or_create_split(
    directory: str | Path, data: pd.DataFrame, seed: int = 42, dataset: str = ""
) -> Split:
    """Reuse ``directory``'s saved split when it was made from the same data and seed."""
    directory = Path(directory)
    if (directory / SPLIT_META).exists():
        saved = Split.load(directory)
        current = fingerprint(data)
        if saved.source_fingerprint != current or saved.seed != seed:
            raise UserInputError(
                f"{directory} already holds a split of different data or seed (dataset "
                f"{saved.dataset!r}, seed {saved.seed}); use a new output directory or delete "
                f"{directory / SPLIT_FILE} and {directory / SPLIT_META}"
            )
        return saved
    split = paper_split(data, seed=seed, dataset=dataset)
    split.save(directory)
    return split
