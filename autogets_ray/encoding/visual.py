"""TF-IDF -> PCA, fitted once on the training split; every later text uses the same fit.

The paper (App. B.1.1) projects synthetic samples "using the same fitted vectorizer and PCA model
used for the original data": :meth:`VisualEncoder.transform` does exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer

from autogets_ray.errors import UserInputError


class VisualEncoder:
    """Project texts to ``n_components`` principal components of their TF-IDF vectors."""

    def __init__(self, n_components: int = 4, max_features: int = 5000, seed: int = 0) -> None:
        if n_components < 2:
            raise UserInputError(f"n_components must be at least 2 (one PCA plot), got {n_components}")
        self.n_components = n_components
        self.max_features = max_features
        self.seed = seed
        self._vectorizer: TfidfVectorizer | None = None
        self._pca: PCA | None = None

    def fit(self, texts: Sequence[str]) -> "VisualEncoder":
        self._vectorizer = TfidfVectorizer(max_features=self.max_features, sublinear_tf=True)
        matrix = self._vectorizer.fit_transform(texts)
        k = min(self.n_components, matrix.shape[1] - 1, matrix.shape[0] - 1)
        if k < 2:
            raise UserInputError("too few texts or distinct words to fit a 2-D PCA map")
        # arpack accepts the sparse matrix and centres it implicitly (true PCA, not TruncatedSVD).
        self._pca = PCA(n_components=k, svd_solver="arpack", random_state=self.seed)
        self._pca.fit(matrix)
        return self

    @property
    def fitted(self) -> bool:
        return self._pca is not None

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        if self._vectorizer is None or self._pca is None:
            raise ValueError("VisualEncoder.transform called before fit")
        return self._pca.transform(self._vectorizer.transform(texts)).astype(np.float64)

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.fit(texts).transform(texts)

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        if self._pca is None:
            raise ValueError("VisualEncoder is not fitted")
        return self._pca.explained_variance_ratio_

    def component_pairs(self) -> list[tuple[int, int]]:
        """The PCA plots: every pair of components, leading pairs first ((0,1), (0,2), ...)."""
        k = self._pca.n_components_ if self._pca is not None else self.n_components
        return list(combinations(range(k), 2))
