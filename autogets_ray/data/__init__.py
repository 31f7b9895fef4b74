"""Data layer: reading labelled text files, named datasets, validation and the paper's splits."""

from __future__ import annotations

from autogets_ray.data.datasets import DATASETS, DatasetRequest, load_dataset
from autogets_ray.data.reading import read_labelled_texts
from autogets_ray.data.splits import Split, paper_split
from autogets_ray.data.validation import validate_labelled_texts

__all__ = [
    "DATASETS",
    "DatasetRequest",
    "Split",
    "load_dataset",
    "paper_split",
    "read_labelled_texts",
    "validate_labelled_texts",
]
