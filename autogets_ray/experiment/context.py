"""The shared state of an experiment, built once and reused by every trial (Ray object store).

It holds the split, the model's featuriser fitted on the real training texts, the features of all
real rows, the visual (PCA) coordinates of the training rows, and M0's evaluations, so a retrain
featurises only the synthetic rows it adds (paper §3.1: M0 retrained with D + synthetic samples).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autogets_ray.data.splits import Split
from autogets_ray.encoding.visual import VisualEncoder
from autogets_ray.metrics import Evaluation, evaluate
from autogets_ray.models import Featurizer, create_model, stack_features
from autogets_ray.progress import Progress


@dataclass
class RetrainResult:
    val: Evaluation
    test: Evaluation
    retrain_seconds: float  # featurising the added rows + fitting (the paper's budget unit)
    n_synthetic: int
    device: str = "cpu"  # where the model was fitted (TextModel.fit_device)


@dataclass
class ExperimentContext:
    split: Split
    model_name: str
    model_options: dict[str, Any]
    featurizer: Featurizer
    x_train: Any
    x_val: Any
    x_test: Any
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray
    train_row_ids: np.ndarray
    train_texts: np.ndarray
    train_labels: np.ndarray
    coords_train: np.ndarray
    m0_val: Evaluation | None = None
    m0_test: Evaluation | None = None
    m0_fit_seconds: float = 0.0
    _row_index: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row_index = {int(r): i for i, r in enumerate(self.train_row_ids)}

    def text_of(self, row_id: int) -> str:
        try:
            return str(self.train_texts[self._row_index[int(row_id)]])
        except KeyError:
            raise ValueError(f"row_id {row_id} is not a training example of this split") from None

    def class_rows(self, label: str) -> np.ndarray:
        """Positions (into the training arrays) of ``label``'s training examples."""
        self.split.class_code(label)
        return np.flatnonzero(self.train_labels == label)

    def class_texts(self) -> dict[str, list[str]]:
        """label -> real training texts (what the ngram LLM backend trains on)."""
        return {c: self.train_texts[self.train_labels == c].tolist() for c in self.split.classes}

    def class_sizes(self) -> dict[str, int]:
        return {c: int((self.train_labels == c).sum()) for c in self.split.classes}

    def retrain(self, texts: list[str], labels: list[str], model_options: dict[str, Any] | None = None) -> RetrainResult:
        """Fit a fresh model on the real training rows plus ``texts`` and score val and test."""
        options = {**self.model_options, **(model_options or {})}
        model = create_model(self.model_name, **options)
        start = time.perf_counter()
        x, y = self.x_train, self.y_train
        if texts:
            x = stack_features(x, self.featurizer.transform(list(texts)))
            y = np.concatenate([y, self.split.encode_labels(labels)])
        model.fit(x, y)
        seconds = time.perf_counter() - start
        val = evaluate(self.y_val, model.predict(self.x_val), self.split.classes)
        test = evaluate(self.y_test, model.predict(self.x_test), self.split.classes)
        return RetrainResult(val, test, seconds, len(texts), model.fit_device())


def build_context(
    split: Split,
    model_name: str,
    model_options: dict[str, Any] | None = None,
    encoder_components: int = 4,
    seed: int = 0,
    progress: Progress | None = None,
) -> ExperimentContext:
    """Featurise the real rows once, fit the PCA map, and train and score M0."""
    progress = progress or Progress(enabled=False)
    options = dict(model_options or {})
    train, val, test = split.train, split.val, split.test
    with progress.step(f"featurising {len(split.frame)} real texts for {model_name}"):
        featurizer = create_model(model_name, **options).make_featurizer()
        x_train = featurizer.fit_transform(train["text"].tolist())
        x_val = featurizer.transform(val["text"].tolist())
        x_test = featurizer.transform(test["text"].tolist())
    with progress.step("fitting the PCA map on the training split"):
        coords = VisualEncoder(n_components=encoder_components, seed=seed).fit_transform(train["text"].tolist())
    context = ExperimentContext(
        split=split,
        model_name=model_name,
        model_options=options,
        featurizer=featurizer,
        x_train=x_train,
        x_val=x_val,
        x_test=x_test,
        y_train=split.encode_labels(train["label"]),
        y_val=split.encode_labels(val["label"]),
        y_test=split.encode_labels(test["label"]),
        train_row_ids=train["row_id"].to_numpy(dtype=np.int64),
        train_texts=train["text"].to_numpy(dtype=object),
        train_labels=train["label"].to_numpy(dtype=object),
        coords_train=coords,
    )
    with progress.step(f"training M0 ({model_name})"):
        m0 = context.retrain([], [])
    context.m0_val, context.m0_test, context.m0_fit_seconds = m0.val, m0.test, m0.retrain_seconds
    return context
