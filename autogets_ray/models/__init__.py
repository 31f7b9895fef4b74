"""Text classifiers behind one interface (:class:`TextModel`) and a name -> factory registry."""

from __future__ import annotations

from autogets_ray.models.base import MODELS, Featurizer, TextModel, create_model, stack_features

# Importing the implementations registers them.
from autogets_ray.models import catboost_model as _catboost_model  # noqa: E402,F401
from autogets_ray.models import linear_model as _linear_model  # noqa: E402,F401

__all__ = ["MODELS", "Featurizer", "TextModel", "create_model", "stack_features"]
