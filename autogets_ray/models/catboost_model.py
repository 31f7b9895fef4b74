"""``catboost``: the paper's M0 classifier with its fixed parameters (paper §4.1, App. A).

Features: by default compact dense TF-IDF -> SVD features, because CatBoost on CPU is very slow on
sparse TF-IDF or native text features with many classes (docs/design.md#catboost-cost; measured numbers in
benchmarks/RESULTS.md). ``features="text"`` uses CatBoost's native text features instead: more
accurate, many times slower on CPU.

Device: ``device="auto"`` uses the GPU when a CUDA device is visible and CatBoost's GPU mode works,
with ``gpu_ram_part`` set from the trial's GPU share (CatBoost otherwise grabs 95 % of the card).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.models.base import MODELS, Featurizer, TextModel, scores_by_code
from autogets_ray.models.features import RawTextFeaturizer, TfidfSvdFeaturizer

log = logging.getLogger(__name__)

#: The paper's fixed parameters (+ the notebooks' explicit defaults), used for every retrain.
PAPER_PARAMS: dict[str, Any] = {
    "iterations": 300,
    "learning_rate": 0.2,
    "depth": 8,
    "l2_leaf_reg": 1,
    "random_seed": 0,
    "border_count": 254,
    "bagging_temperature": 1,
    "random_strength": 1,
}
FEATURE_KINDS = ("svd", "text")
DEVICES = ("auto", "cpu", "gpu")
#: CatBoost ``auto_class_weights``: None (weight 1), "Balanced" (max_k n_k / n_c), "SqrtBalanced"
#: (sqrt(max_k n_k / n_c)) for class c.
AUTO_CLASS_WEIGHTS = (None, "Balanced", "SqrtBalanced")


@functools.lru_cache(maxsize=1)
def catboost_gpu_count() -> int:
    """CUDA devices CatBoost can use here (0 without a GPU or a CUDA-enabled CatBoost)."""
    no_driver = sys.platform.startswith("linux") and not Path("/dev/nvidiactl").exists()
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "" or no_driver:
        return 0  # no NVIDIA driver (or no device granted): skip CatBoost's noisy probe
    try:
        from catboost.utils import get_gpu_device_count

        return int(get_gpu_device_count())
    except Exception:  # any failure to probe the GPU means: do not use it
        return 0


class CatBoostTextModel(TextModel):
    name = "catboost"

    def __init__(
        self,
        features: str = "svd",
        svd_components: int = 128,
        device: str = "auto",
        gpu_share: float = 1.0,
        thread_count: int = -1,
        seed: int | None = None,
        auto_class_weights: str | None = None,
        **params: Any,
    ) -> None:
        if auto_class_weights not in AUTO_CLASS_WEIGHTS:
            raise UserInputError(
                f"catboost auto_class_weights must be one of {AUTO_CLASS_WEIGHTS}, got {auto_class_weights!r}"
            )
        if features not in FEATURE_KINDS:
            raise UserInputError(f"catboost features must be one of {FEATURE_KINDS}, got {features!r}")
        if device not in DEVICES:
            raise UserInputError(f"catboost device must be one of {DEVICES}, got {device!r}")
        if not 0.0 < gpu_share <= 1.0:
            raise UserInputError(f"gpu_share must be in (0, 1], got {gpu_share}")
        unknown = set(params) - set(PAPER_PARAMS) - {"verbose", "early_stopping_rounds"}
        if unknown:
            raise UserInputError(
                f"unknown catboost parameter(s) {sorted(unknown)}; allowed: {sorted(PAPER_PARAMS)}"
            )
        self.features = features
        self.svd_components = svd_components
        self.device = device
        self.gpu_share = gpu_share
        self.thread_count = thread_count
        self.auto_class_weights = auto_class_weights
        self.params = {**PAPER_PARAMS, **params}
        if seed is not None:
            self.params["random_seed"] = seed
        self._model = None

    def uses_gpu(self) -> bool:
        if self.device == "cpu":
            return False
        available = catboost_gpu_count() > 0
        if self.device == "gpu" and not available:
            raise UserInputError(
                "catboost device='gpu' but no CUDA device is usable by CatBoost here; "
                "use device='auto' or 'cpu'"
            )
        return available

    def fit_device(self) -> str:
        return "gpu" if self.uses_gpu() else "cpu"

    def make_featurizer(self) -> Featurizer:
        if self.features == "text":
            return RawTextFeaturizer()
        return TfidfSvdFeaturizer(n_components=self.svd_components, seed=int(self.params["random_seed"]))

    def _catboost_params(self) -> dict[str, Any]:
        params = dict(self.params)
        params.setdefault("verbose", False)
        params.update(loss_function="MultiClass", allow_writing_files=False)
        if self.auto_class_weights is not None:
            params["auto_class_weights"] = self.auto_class_weights
        if self.uses_gpu():
            # The share Ray granted this trial, less CatBoost's own 5 % headroom.
            params.update(task_type="GPU", devices="0", gpu_ram_part=round(0.95 * self.gpu_share, 4))
        else:
            params.update(task_type="CPU", thread_count=self.thread_count)
        return params

    def _pool(self, features, labels=None):
        from catboost import Pool

        if self.features == "text":
            frame = pd.DataFrame({"text": np.asarray(features, dtype=object).ravel()})
            return Pool(frame, label=labels, text_features=["text"])
        return Pool(np.asarray(features, dtype=np.float32), label=labels)

    def fit(self, features, labels: np.ndarray) -> "CatBoostTextModel":
        from catboost import CatBoostClassifier

        # Plain int64 labels: CatBoost rejects pandas' Arrow-backed string arrays.
        labels = np.asarray(labels, dtype=np.int64)
        self._model = CatBoostClassifier(**self._catboost_params())
        self._model.fit(self._pool(features, labels))
        return self

    def predict(self, features) -> np.ndarray:
        if self._model is None:
            raise ValueError("predict called before fit")
        proba = self._model.predict_proba(self._pool(features))
        classes = np.asarray(self._model.classes_, dtype=np.int64)
        return classes[np.argmax(proba, axis=1)]

    def decision_scores(self, features, n_classes: int | None = None) -> np.ndarray:
        """``predict_proba`` by class code (columns follow the fitted ``classes_``)."""
        if self._model is None:
            raise ValueError("decision_scores called before fit")
        proba = self._model.predict_proba(self._pool(features))
        return scores_by_code(proba, np.asarray(self._model.classes_, dtype=np.int64), n_classes)

    @classmethod
    def balanced_weight_options(cls) -> dict[str, Any]:
        return {"auto_class_weights": "Balanced"}

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "features": self.features,
            "svd_components": self.svd_components if self.features == "svd" else None,
            "task_type": self.fit_device().upper(),
            "auto_class_weights": self.auto_class_weights,
            **self.params,
        }


@MODELS.register("catboost", help="the paper's CatBoost (300 it., lr 0.2, depth 8) on SVD or text features")
def catboost(**options: Any) -> CatBoostTextModel:
    return CatBoostTextModel(**options)
