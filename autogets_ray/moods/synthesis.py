"""Synthetic minority rows with SVM-SMOTE (imbalanced-learn), as Alg. 1 line 6 uses it."""

from __future__ import annotations

import numpy as np


def svm_smote_rows(
    X: np.ndarray, y: np.ndarray, seed: int, k_neighbors: int = 5, m_neighbors: int = 10
) -> np.ndarray:
    """New minority rows (label 1) that bring the minority up to the majority's count.

    Only the generated rows are returned (imblearn appends them after the input). Nothing is
    generated when the minority is not smaller, or when SVM-SMOTE finds no usable support vectors
    (it then raises; a step without synthetic rows is still a valid MOODS step).
    """
    from imblearn.over_sampling import SVMSMOTE

    n_min, n_maj = int(np.sum(y == 1)), int(np.sum(y == 0))
    if n_maj <= n_min or n_min < 2:
        return np.empty((0, X.shape[1]))
    sampler = SVMSMOTE(
        sampling_strategy={1: n_maj},
        k_neighbors=min(k_neighbors, n_min - 1),
        m_neighbors=min(m_neighbors, len(y) - 1),
        random_state=int(seed),
    )
    try:
        X_res, _ = sampler.fit_resample(X, y)
    except (ValueError, RuntimeError):
        return np.empty((0, X.shape[1]))
    return np.asarray(X_res[len(X) :], dtype=np.float64)
