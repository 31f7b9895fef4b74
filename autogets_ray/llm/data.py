"""Bridges from the data layer to generation: examples of a class and the class training texts.

The search and ``autogets generate`` both build their inputs here, so the ``ngram`` backend sees
the same training texts (same model identity, same cache keys) in pre-generation and in trials.
"""

from __future__ import annotations

import pandas as pd

from autogets_ray.data.splits import Split
from autogets_ray.errors import UserInputError
from autogets_ray.llm.types import Example


def class_texts(split: Split) -> dict[str, list[str]]:
    """label -> the real TRAINING texts of that class (validation and test never leak in)."""
    train = split.train
    return {label: train.loc[train["label"] == label, "text"].astype(str).tolist() for label in split.classes}


def examples_of(frame: pd.DataFrame) -> list[Example]:
    """``row_id, text, label`` rows -> :class:`Example` objects (``row_id`` becomes ``source_id``)."""
    return [
        Example(int(row_id), str(text), str(label))
        for row_id, text, label in zip(frame["row_id"], frame["text"], frame["label"])
    ]


def class_training_examples(split: Split, label: str, limit: int | None = None) -> list[Example]:
    """The training examples of ``label`` in ``row_id`` order, the first ``limit`` if given."""
    split.class_code(label)  # ValueError naming the classes when unknown
    if limit is not None and limit < 1:
        raise UserInputError(f"--limit must be at least 1, got {limit}")
    train = split.train
    rows = train[train["label"] == label].sort_values("row_id")
    if limit is not None:
        rows = rows.head(limit)
    return examples_of(rows)
