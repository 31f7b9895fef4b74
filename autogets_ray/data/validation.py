"""Checks on a labelled text table, each failing with a message that says what and how to fix."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from autogets_ray.errors import UserInputError

log = logging.getLogger(__name__)

#: Two stratified 80/20 splits need about 10 examples for a class to reach train, val and test.
DEFAULT_MIN_CLASS_SIZE = 10


def _rows(index: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(str(int(i)) for i in list(index)[:limit])
    more = f" and {len(index) - limit} more" if len(index) > limit else ""
    return f"{shown}{more}"


def validate_labelled_texts(
    frame: pd.DataFrame,
    source: str,
    min_class_size: int = DEFAULT_MIN_CLASS_SIZE,
    drop_small_classes: bool = False,
    drop_invalid_rows: bool = False,
) -> pd.DataFrame:
    """Return a clean copy of ``frame`` (``row_id, text, label``) or raise ``UserInputError``.

    Row numbers in messages are ``row_id`` values: 0-based data rows of the source file.
    """
    text_col = frame.attrs.get("text_column", "text")
    label_col = frame.attrs.get("label_column", "label")
    if min_class_size < 2:
        raise UserInputError(f"min_class_size must be at least 2, got {min_class_size}")
    if len(frame) == 0:
        raise UserInputError(f"{source}: holds no rows; point to a file with labelled texts")

    texts = frame["text"]
    is_string = texts.map(lambda v: isinstance(v, str))
    bad_text = ~is_string | texts.map(lambda v: not isinstance(v, str) or not v.strip())
    labels = frame["label"]
    bad_label = labels.isna() | labels.map(lambda v: isinstance(v, str) and not v.strip())

    problems = []
    if bad_text.any():
        n_not_string = int((~is_string).sum())
        n_empty = int(bad_text.sum()) - n_not_string
        problems.append(
            (
                bad_text,
                f"column {text_col!r} has {n_empty} empty and {n_not_string} missing or "
                f"non-string texts, at rows {_rows(frame.loc[bad_text, 'row_id'])}",
            )
        )
    if bad_label.any():
        problems.append(
            (
                bad_label,
                f"column {label_col!r} has {int(bad_label.sum())} missing labels at rows "
                f"{_rows(frame.loc[bad_label, 'row_id'])}",
            )
        )
    if problems:
        if not drop_invalid_rows:
            detail = "; ".join(msg for _, msg in problems)
            raise UserInputError(
                f"{source}: {detail}; fix those rows or pass --drop-invalid-rows to skip them"
            )
        drop = pd.Series(False, index=frame.index)
        for mask, msg in problems:
            drop |= mask
            log.warning("%s: %s: dropping them", source, msg)
        frame = frame.loc[~drop]

    frame = frame.assign(label=frame["label"].map(str).to_numpy(dtype=object))
    counts = frame["label"].value_counts()
    small = counts[counts < min_class_size]
    if len(small):
        listing = ", ".join(f"{name!r} ({n})" for name, n in small.items())
        if not drop_small_classes:
            raise UserInputError(
                f"{source}: classes too small to split into train/val/test (fewer than "
                f"{min_class_size} examples): {listing}; add examples, merge them, or pass "
                f"--drop-small-classes to leave them out"
            )
        log.warning("%s: dropping classes too small to split: %s", source, listing)
        frame = frame[~frame["label"].isin(small.index)]
    n_classes = frame["label"].nunique()
    if n_classes < 2:
        only = frame["label"].iloc[0] if len(frame) else "none"
        raise UserInputError(
            f"{source}: column {label_col!r} has a single class ({only!r}) after validation; "
            f"a classifier needs at least two classes"
        )
    out = frame.reset_index(drop=True)
    out.attrs.update(frame.attrs)
    return out
