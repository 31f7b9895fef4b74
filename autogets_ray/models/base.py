"""The model interface.

Featurisation is split from fitting so that a search featurises the real rows once and each retrain
featurises only its added (synthetic) rows with the same fitted featuriser, then stacks them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from autogets_ray.registry import Registry

Features = Any  # a scipy sparse matrix, a dense float array, or an object array of texts


class Featurizer(ABC):
    """Texts -> features; fitted once on the training texts."""

    @abstractmethod
    def fit(self, texts: Sequence[str]) -> "Featurizer": ...

    @abstractmethod
    def transform(self, texts: Sequence[str]) -> Features: ...

    def fit_transform(self, texts: Sequence[str]) -> Features:
        return self.fit(texts).transform(texts)


class TextModel(ABC):
    """A classifier over integer class codes, with the featuriser it expects."""

    name: str = ""

    @abstractmethod
    def make_featurizer(self) -> Featurizer:
        """A fresh, unfitted featuriser for this model."""

    @abstractmethod
    def fit(self, features: Features, labels: np.ndarray) -> "TextModel": ...

    @abstractmethod
    def predict(self, features: Features) -> np.ndarray:
        """Integer class codes."""

    def describe(self) -> dict[str, Any]:
        """Parameters worth recording next to results."""
        return {"model": self.name}

    def fit_device(self) -> str:
        """Where ``fit`` runs: ``"cpu"`` or ``"gpu"`` (recorded with every trial)."""
        return "cpu"


def stack_features(first: Features, second: Features) -> Features:
    """Rows of ``first`` then rows of ``second``, for any feature kind a featuriser returns."""
    if sp.issparse(first):
        return sp.vstack([first, second], format="csr")
    return np.concatenate([np.asarray(first), np.asarray(second)], axis=0)


MODELS: Registry[TextModel] = Registry("model")


def create_model(name: str, **options: Any) -> TextModel:
    """Build a registered model; unknown options fail with the list of valid ones."""
    factory = MODELS.get(name)
    try:
        return factory(**options)
    except TypeError as exc:
        raise ValueError(f"bad option for model {name!r}: {exc}") from None
