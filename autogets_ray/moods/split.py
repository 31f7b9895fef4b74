"""Seeded train / validation / test split of a tabular dataset, standardised on the training part.

Paper Sec. 2: disjoint D^Tr, D^V, D^Te with |D^V| ~ |D^Te|; Table 2 uses 20% test. We split
stratified 80/20 (train+val / test), then 80/20 (train / val), as AutoGeTS does (docs/design.md#splits),
and standardise every feature with the training part's mean and standard deviation (the paper does
not say; an MLP trained with Adam at 1e-4 needs comparable feature scales).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autogets_ray.data.tabular import TabularData


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

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.y_train),
            "val": len(self.y_val),
            "test": len(self.y_test),
            "train_minority": int(self.y_train.sum()),
        }


def split_tabular(
    data: TabularData, seed: int, test_size: float = 0.2, val_size: float = 0.2
) -> TabularSplit:
    """Stratified 80/20 then 80/20 split with ``seed``; scaler fitted on the training part only."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    idx = np.arange(len(data.y))
    rest, test = train_test_split(idx, test_size=test_size, stratify=data.y, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size, stratify=data.y[rest], random_state=seed)
    scaler = StandardScaler().fit(data.X[train])

    def scaled(rows: np.ndarray) -> np.ndarray:
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
    )
