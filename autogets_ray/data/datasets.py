"""Named datasets (a registry) and the one entry point that loads a name or a path."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.data.demo import generate_demo_tickets
from autogets_ray.data.reading import read_labelled_texts
from autogets_ray.data.validation import DEFAULT_MIN_CLASS_SIZE, validate_labelled_texts
from autogets_ray.errors import UserInputError
from autogets_ray.registry import Registry

DATA_DIR_ENV = "AUTOGETS_DATA_DIR"
IT_TICKETS_FILE = Path("it_tickets") / "it_service_tickets.zip"
#: The paper's tail of class sizes (Table 1, largest class first), applied to it-tickets' classes.
PAPER_TAIL_SIZES = (11350, 8529, 4719, 2755, 1028, 543, 358, 180)


@dataclass(frozen=True)
class DatasetRequest:
    """What to load: a registered name or a file path, and how to read and validate it."""

    name_or_path: str
    data_dir: str | None = None
    text_column: str = "text"
    label_column: str = "label"
    encoding: str = "utf-8"
    member: str | None = None
    seed: int = 42
    min_class_size: int = DEFAULT_MIN_CLASS_SIZE
    drop_small_classes: bool = False
    drop_invalid_rows: bool = False


DATASETS: Registry[pd.DataFrame] = Registry("dataset")


def resolve_data_dir(data_dir: str | None) -> Path:
    """``--data-dir`` wins over ``$AUTOGETS_DATA_DIR``; one of them must name a directory."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    if not chosen:
        raise UserInputError(
            f"this dataset is read from a data directory: pass --data-dir DIR or set {DATA_DIR_ENV} "
            f"to the directory holding {IT_TICKETS_FILE}"
        )
    path = Path(chosen).expanduser()
    if not path.is_dir():
        source = "--data-dir" if data_dir else DATA_DIR_ENV
        raise UserInputError(f"{source} names {path}, which is not a directory")
    return path


def _it_tickets_path(request: DatasetRequest) -> Path:
    path = resolve_data_dir(request.data_dir) / IT_TICKETS_FILE
    if not path.exists():
        raise UserInputError(
            f"{path} does not exist: the data directory must hold {IT_TICKETS_FILE} "
            f"(the layout of shared/data)"
        )
    return path


@DATASETS.register("it-tickets", help="47,837 real IT service tickets, 8 classes (needs the data dir)")
def it_tickets(request: DatasetRequest) -> pd.DataFrame:
    return read_labelled_texts(_it_tickets_path(request), "Document", "Topic_group")


def subsample_to_sizes(frame: pd.DataFrame, sizes: tuple[int, ...], seed: int) -> pd.DataFrame:
    """Keep ``sizes[k]`` seeded random rows of the k-th largest class (ties broken by name)."""
    counts = frame["label"].value_counts()
    order = sorted(counts.index, key=lambda c: (-counts[c], str(c)))
    if len(order) != len(sizes):
        raise UserInputError(f"expected {len(sizes)} classes to subsample, found {len(order)}")
    rng = np.random.default_rng(seed)
    keep = []
    for label, size in zip(order, sizes):
        rows = np.flatnonzero(frame["label"].to_numpy() == label)
        if size > len(rows):
            raise UserInputError(f"class {label!r} has {len(rows)} rows, fewer than the {size} asked for")
        keep.append(np.sort(rng.choice(rows, size=size, replace=False)))
    out = frame.iloc[np.sort(np.concatenate(keep))].reset_index(drop=True)
    out.attrs.update(frame.attrs)
    return out


@DATASETS.register("it-tickets-tail", help="it-tickets subsampled to the paper's tail sizes 11350..180")
def it_tickets_tail(request: DatasetRequest) -> pd.DataFrame:
    frame = validate_labelled_texts(
        it_tickets(request), str(_it_tickets_path(request)), drop_invalid_rows=True
    )
    return subsample_to_sizes(frame, PAPER_TAIL_SIZES, seed=request.seed)


@DATASETS.register("demo-tickets", help="built-in deterministic ticket-like corpus, 7 classes, 3k texts")
def demo_tickets(request: DatasetRequest) -> pd.DataFrame:
    return generate_demo_tickets(seed=0)


def load_dataset(request: DatasetRequest) -> pd.DataFrame:
    """Load a registered dataset or a file, validated: ``row_id, text, label``."""
    name = request.name_or_path
    if name in DATASETS:
        frame = DATASETS.create(name, request)
        source = name
    else:
        looks_like_path = os.sep in name or Path(name).suffix != ""
        if not looks_like_path:
            raise UserInputError(
                f"unknown dataset {name!r}: not a registered name ({', '.join(DATASETS.names())}) "
                f"and not a file path"
            )
        frame = read_labelled_texts(
            name, request.text_column, request.label_column, request.encoding, request.member
        )
        source = name
    frame = validate_labelled_texts(
        frame,
        source,
        min_class_size=request.min_class_size,
        drop_small_classes=request.drop_small_classes,
        drop_invalid_rows=request.drop_invalid_rows or name in DATASETS,
    )
    frame.attrs["dataset"] = name
    return frame
