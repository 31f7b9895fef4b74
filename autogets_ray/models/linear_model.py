"""``linear``: LinearSVC on TF-IDF, the fast CPU model for quick runs (about a second a fit)."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.svm import LinearSVC

from autogets_ray.models.base import MODELS, TextModel
from autogets_ray.models.features import TfidfFeaturizer


class LinearTextModel(TextModel):
    name = "linear"

    def __init__(self, C: float = 1.0, ngram_max: int = 2, min_df: int = 1, seed: int = 0) -> None:
        self.C = C
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.seed = seed
        self._svc: LinearSVC | None = None

    def make_featurizer(self) -> TfidfFeaturizer:
        return TfidfFeaturizer(ngram_max=self.ngram_max, min_df=self.min_df)

    def fit(self, features, labels: np.ndarray) -> "LinearTextModel":
        self._svc = LinearSVC(C=self.C, random_state=self.seed)
        self._svc.fit(features, np.asarray(labels, dtype=np.int64))
        return self

    def predict(self, features) -> np.ndarray:
        if self._svc is None:
            raise ValueError("predict called before fit")
        return self._svc.predict(features).astype(np.int64)

    def describe(self) -> dict[str, Any]:
        return {"model": self.name, "C": self.C, "ngram_max": self.ngram_max, "min_df": self.min_df}


@MODELS.register("linear", help="LinearSVC on TF-IDF uni+bigrams: fast, CPU, for quick runs")
def linear(**options: Any) -> LinearTextModel:
    return LinearTextModel(**options)
