"""Seeded train / validation / test split of a tabular dataset, standardised on the training part.

Paper Sec. 2: disjoint D^Tr, D^V, D^Te with |D^V| ~ |D^Te|; Table 2 uses 20% test. We split
stratified 80/20 (train+val / test), then 80/20 (train / val), as AutoGeTS does (docs/design.md#splits),
and standardise every feature with the training part's mean and standard deviation (the paper does
not say; an MLP trained with Adam at 1e-4 needs comparable feature scales).

With ``folds = k >= 2`` (``--validation-folds``, an option of ours, not the paper's) there is no
separate D^V: the train+val part is the training part, standardised on itself, and every row of it
gets one of k stratified folds. A candidate is then scored out of fold (docs/design.md, MOODS):
validation evidence is every labelled row instead of the ~20% of them the holdout keeps aside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autogets_ray.data.tabular import TabularData
from autogets_ray.errors import UserInputError


@dataclass
class TabularSplit:
    """Standardised arrays of one run; label 1 = minority."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    seed: int
    dataset: str = ""
    #: fold of every training row (k-fold validation); None: D^V is ``X_val`` (the paper's holdout)
    folds: np.ndarray | None = None

    @property
    def n_folds(self) -> int:
        return 0 if self.folds is None else int(self.folds.max()) + 1

    def fold_masks(self) -> list[np.ndarray]:
        """For every fold, the training rows outside it (what that fold's model is fitted on)."""
        if self.folds is None:
            raise ValueError("this split holds out a validation set; it has no folds")
        return [self.folds != j for j in range(self.n_folds)]

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.y_train),
            "val": len(self.y_val),
            "test": len(self.y_test),
            "train_minority": int(self.y_train.sum()),
        }


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The fold (0..folds-1) of every row, stratified by ``y`` and shuffled with ``seed``."""
    from sklearn.model_selection import StratifiedKFold

    smallest = int(np.unique(y, return_counts=True)[1].min())
    if folds > smallest:
        raise UserInputError(
            f"{folds} validation folds need at least {folds} rows of each class; the smallest class "
            f"has {smallest}: choose fewer (--validation-folds, or the sampler's validation_folds)"
        )

    out = np.empty(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for j, (_, rows) in enumerate(splitter.split(np.zeros(len(y)), y)):
        out[rows] = j
    return out


def split_tabular(
    data: TabularData, seed: int, test_size: float = 0.2, val_size: float = 0.2, folds: int = 0
) -> TabularSplit:
    """Stratified 80/20 then 80/20 split with ``seed``; scaler fitted on the training part only.

    ``folds >= 2``: the same test rows, and the train+val part as the training part with ``folds``
    stratified folds (module docstring)."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    idx = np.arange(len(data.y))
    rest, test = train_test_split(idx, test_size=test_size, stratify=data.y, random_state=seed)
    if folds >= 2:
        train, val = rest, rest[:0]
    else:
        train, val = train_test_split(rest, test_size=val_size, stratify=data.y[rest], random_state=seed)
    scaler = StandardScaler().fit(data.X[train])

    def scaled(rows: np.ndarray) -> np.ndarray:
        if not len(rows):  # no holdout under k-fold validation
            return np.empty((0, data.X.shape[1]))
        return scaler.transform(data.X[rows]).astype(np.float64)

    return TabularSplit(
        scaled(train),
        data.y[train].copy(),
        scaled(val),
        data.y[val].copy(),
        scaled(test),
        data.y[test].copy(),
        seed=seed,
        dataset=data.name,
        folds=stratified_folds(data.y[train], folds, seed) if folds >= 2 else None,
    )
