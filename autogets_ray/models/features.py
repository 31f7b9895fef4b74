"""Featurisers shared by the models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autogets_ray.models.base import Featurizer


class TfidfFeaturizer(Featurizer):
    """Sparse TF-IDF over word uni- and bigrams (sublinear tf)."""

    def __init__(self, ngram_max: int = 2, min_df: int = 1, max_features: int | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, ngram_max),
            min_df=min_df,
            max_features=max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def fit(self, texts: Sequence[str]) -> "TfidfFeaturizer":
        self.vectorizer.fit(texts)
        return self

    def transform(self, texts: Sequence[str]):
        return self.vectorizer.transform(texts)


class TfidfSvdFeaturizer(Featurizer):
    """TF-IDF -> TruncatedSVD: compact dense features that CatBoost handles quickly."""

    def __init__(self, n_components: int = 128, max_features: int = 50000, seed: int = 0) -> None:
        self.tfidf = TfidfFeaturizer(ngram_max=2, min_df=2, max_features=max_features)
        from sklearn.decomposition import TruncatedSVD

        self.svd = TruncatedSVD(n_components=n_components, random_state=seed)

    def fit(self, texts: Sequence[str]) -> "TfidfSvdFeaturizer":
        self.svd.fit(self.tfidf.fit_transform(texts))
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.svd.transform(self.tfidf.transform(texts)).astype(np.float32)


class RawTextFeaturizer(Featurizer):
    """Identity: an (n, 1) object array of texts for models with native text features."""

    def fit(self, texts: Sequence[str]) -> "RawTextFeaturizer":
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(list(texts), dtype=object).reshape(-1, 1)
