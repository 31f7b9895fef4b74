"""``linear``: LinearSVC on TF-IDF, the fast CPU model for quick runs (about a second a fit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from autogets_ray.errors import UserInputError
from autogets_ray.models.base import MODELS, TextModel, scores_by_code
from autogets_ray.models.features import TfidfFeaturizer

if TYPE_CHECKING:
    from sklearn.svm import LinearSVC

#: ``class_weight`` values: None (all rows weigh 1) or "balanced" (weight n / (K n_c) for class c).
CLASS_WEIGHTS = (None, "balanced")


class LinearTextModel(TextModel):
    name = "linear"

    def __init__(
        self,
        C: float = 1.0,
        ngram_max: int = 2,
        min_df: int = 1,
        seed: int = 0,
        class_weight: str | None = None,
    ) -> None:
        if class_weight not in CLASS_WEIGHTS:
            raise UserInputError(f"linear class_weight must be one of {CLASS_WEIGHTS}, got {class_weight!r}")
        self.C = C
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.seed = seed
        self.class_weight = class_weight
        self._svc: LinearSVC | None = None

    def make_featurizer(self) -> TfidfFeaturizer:
        return TfidfFeaturizer(ngram_max=self.ngram_max, min_df=self.min_df)

    def fit(self, features, labels: np.ndarray) -> "LinearTextModel":
        from sklearn.svm import LinearSVC

        self._svc = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.seed)
        self._svc.fit(features, np.asarray(labels, dtype=np.int64))
        return self

    def predict(self, features) -> np.ndarray:
        if self._svc is None:
            raise ValueError("predict called before fit")
        return self._svc.predict(features).astype(np.int64)

    def decision_scores(self, features, n_classes: int | None = None) -> np.ndarray:
        """``LinearSVC.decision_function`` by class code; binary s (n,) becomes columns [-s, s]."""
        if self._svc is None:
            raise ValueError("decision_scores called before fit")
        raw = np.asarray(self._svc.decision_function(features), dtype=float)
        if raw.ndim == 1:  # binary: s > 0 means classes_[1]
            raw = np.column_stack([-raw, raw])
        return scores_by_code(raw, self._svc.classes_, n_classes)

    @classmethod
    def balanced_weight_options(cls) -> dict[str, Any]:
        return {"class_weight": "balanced"}

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "C": self.C,
            "ngram_max": self.ngram_max,
            "min_df": self.min_df,
            "class_weight": self.class_weight,
        }


@MODELS.register("linear", help="LinearSVC on TF-IDF uni+bigrams: fast, CPU, for quick runs")
def linear(**options: Any) -> LinearTextModel:
    return LinearTextModel(**options)
