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

from autogets_ray.errors import UserInputError
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

    def decision_scores(self, features: Features, n_classes: int | None = None) -> np.ndarray:
        """Scores of shape (n_rows, n_classes), higher = more likely that class.

        Column k is class code k (codes 0..K-1, as :func:`scores_by_code` lays them out); a class
        the fitted model never saw gets ``-inf``. ``n_classes`` defaults to the largest code seen + 1.
        """
        raise NotImplementedError(f"model {self.name!r} does not provide decision scores")

    @classmethod
    def balanced_weight_options(cls) -> dict[str, Any]:
        """The model option (name -> value) that weighs class c in proportion to 1 / n_c when fitting."""
        raise ValueError(f"model {cls.name!r} has no class-weight option")

    def describe(self) -> dict[str, Any]:
        """Parameters worth recording next to results."""
        return {"model": self.name}

    def fit_device(self) -> str:
        """Where ``fit`` runs: ``"cpu"`` or ``"gpu"`` (recorded with every trial)."""
        return "cpu"


def scores_by_code(
    raw: np.ndarray, classes: Sequence[int] | np.ndarray, n_classes: int | None = None
) -> np.ndarray:
    """Put score columns for the fitted ``classes`` (codes) into an (n, K) array by code.

    Codes the model never saw keep ``-inf``; K is ``n_classes`` or ``max(classes) + 1``.
    """
    raw = np.asarray(raw, dtype=float)
    codes = np.asarray(classes, dtype=np.int64)
    if raw.ndim != 2 or raw.shape[1] != len(codes):
        raise ValueError(f"got {raw.shape} scores for {len(codes)} fitted classes")
    k = int(codes.max()) + 1 if n_classes is None else int(n_classes)
    if codes.size and (codes.min() < 0 or codes.max() >= k):
        raise ValueError(f"fitted class codes {codes.tolist()} do not fit n_classes={k}")
    if np.array_equal(codes, np.arange(k)):
        return raw
    out = np.full((raw.shape[0], k), -np.inf)
    out[:, codes] = raw
    return out


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
        raise UserInputError(f"bad option for model {name!r}: {exc}") from None
