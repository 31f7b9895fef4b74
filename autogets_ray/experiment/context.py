"""The shared state of an experiment, built once and reused by every trial (Ray object store).

It holds the split, the model's featuriser fitted on the real training texts, the features of all
real rows, the visual (PCA) coordinates of the training rows, and M0's evaluations, so a retrain
featurises only the synthetic rows it adds (paper §3.1: M0 retrained with D + synthetic samples).
:meth:`ExperimentContext.score` scores a candidate under the experiment's evaluation scheme
(:mod:`autogets_ray.experiment.evaluation`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autogets_ray.data.splits import Split
from autogets_ray.encoding.visual import VisualEncoder
from autogets_ray.experiment.evaluation import (
    EvaluationConfig,
    Fold,
    FoldMetrics,
    ScoredCandidate,
    plan_folds,
)
from autogets_ray.metrics import Evaluation, evaluate
from autogets_ray.models import Featurizer, TextModel, create_model, stack_features
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
    val_row_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    #: M0 on the holdout split (Table 1, ensembles)
    m0_val: Evaluation | None = None
    m0_test: Evaluation | None = None
    m0_fit_seconds: float = 0.0
    #: M0 under the evaluation scheme (what every candidate is compared with)
    m0_score: ScoredCandidate | None = None
    #: score folds on validation rows only (the generator learns from the training texts)
    validation_only: bool = False
    folds: list[Fold] = field(default_factory=list, repr=False)
    _row_index: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row_index = {int(r): i for i, r in enumerate(self.train_row_ids)}
        if not self.folds:
            self.folds = plan_folds(
                np.concatenate([self.y_train, self.y_val]),
                len(self.y_train),
                self.evaluation,
                self.split.classes,
                self.validation_only,
            )

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
        return training_texts(self.split)

    def class_sizes(self) -> dict[str, int]:
        return {c: int((self.train_labels == c).sum()) for c in self.split.classes}

    def _evaluate(self, model: TextModel, x: Any, y: np.ndarray) -> Evaluation:
        return evaluate(
            y,
            model.predict(x),
            self.split.classes,
            scores=model.decision_scores(x, n_classes=len(self.split.classes)),
        )

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], model_options: dict[str, Any] | None = None
    ) -> tuple[TextModel, float]:
        """A fresh model fitted on the real training rows, then ``texts`` in order, and its seconds
        (featurising ``texts`` + fitting). What every retrain fits; ``autogets export`` keeps it."""
        options = {**self.model_options, **(model_options or {})}
        model = create_model(self.model_name, **options)
        start = time.perf_counter()
        x, y = self.x_train, self.y_train
        if len(texts):
            x = stack_features(x, self.featurizer.transform(list(texts)))
            y = np.concatenate([y, self.split.encode_labels(labels)])
        model.fit(x, y)
        return model, time.perf_counter() - start

    def retrain(
        self, texts: list[str], labels: list[str], model_options: dict[str, Any] | None = None
    ) -> RetrainResult:
        """Fit a fresh model on the real training rows plus ``texts`` and score val and test."""
        model, seconds = self.fit(texts, labels, model_options)
        val = self._evaluate(model, self.x_val, self.y_val)
        test = self._evaluate(model, self.x_test, self.y_test)
        return RetrainResult(val, test, seconds, len(texts), model.fit_device())

    def score(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        source_ids: Sequence[int],
        model_options: dict[str, Any] | None = None,
    ) -> ScoredCandidate:
        """Score the real training rows plus ``texts`` (made from the rows ``source_ids``) under the
        evaluation scheme; test comes from the fit on the training split plus every sample."""
        texts, labels = list(texts), list(labels)
        if len(source_ids) != len(texts):
            raise ValueError(f"{len(texts)} samples but {len(source_ids)} source ids")
        full = self.retrain(texts, labels, model_options)
        if self.evaluation.scheme == "holdout":
            return ScoredCandidate(
                FoldMetrics.of(full.val),
                full.test,
                full.retrain_seconds,
                1,
                len(texts),
                full.device,
                full.val,
            )
        options = {**self.model_options, **(model_options or {})}
        pool_x = stack_features(self.x_train, self.x_val)
        pool_y = np.concatenate([self.y_train, self.y_val])
        pool_ids = np.concatenate([self.train_row_ids, self.val_row_ids])
        started = time.perf_counter()
        x_added = self.featurizer.transform(texts) if texts else None
        y_added = self.split.encode_labels(labels) if texts else np.zeros(0, dtype=np.int64)
        seconds = time.perf_counter() - started
        sources = np.asarray(source_ids, dtype=np.int64)
        folds = []
        for fold in self.folds:
            keep = ~np.isin(sources, pool_ids[fold.score])  # no sample of a held-out row
            x, y = pool_x[fold.fit], pool_y[fold.fit]
            if keep.any():
                x = stack_features(x, x_added[np.flatnonzero(keep)])
                y = np.concatenate([y, y_added[keep]])
            model = create_model(self.model_name, **options)
            started = time.perf_counter()
            model.fit(x, y)
            seconds += time.perf_counter() - started
            folds.append(self._evaluate(model, pool_x[fold.score], pool_y[fold.score]).flat())
        return ScoredCandidate(
            FoldMetrics(tuple(folds)),
            full.test,
            full.retrain_seconds + seconds,
            len(self.folds) + 1,
            len(texts),
            full.device,
            full.val,
        )


def training_texts(split: Split) -> dict[str, list[str]]:
    """label -> the real training texts of that class."""
    train = split.train
    return {c: train.loc[train["label"] == c, "text"].tolist() for c in split.classes}


def build_context(
    split: Split,
    model_name: str,
    model_options: dict[str, Any] | None = None,
    encoder_components: int = 4,
    seed: int = 0,
    progress: Progress | None = None,
    evaluation: EvaluationConfig | None = None,
    validation_only: bool = False,
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
        coords = VisualEncoder(n_components=encoder_components, seed=seed).fit_transform(
            train["text"].tolist()
        )
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
        val_row_ids=val["row_id"].to_numpy(dtype=np.int64),
        evaluation=evaluation or EvaluationConfig(),
        validation_only=validation_only,
    )
    fits = context.evaluation.fits_per_candidate
    with progress.step(
        f"training M0 ({model_name})" + (f", {fits} fits ({context.evaluation.scheme})" if fits > 1 else "")
    ):
        m0 = context.m0_score = context.score([], [], [])
        context.m0_val, context.m0_test, context.m0_fit_seconds = m0.holdout_val, m0.test, m0.retrain_seconds
    return context


def context_for(
    config: Any, split: Split, progress: Progress | None = None, **options: Any
) -> ExperimentContext:
    """:func:`build_context` with an experiment config's model, PCA components and seed (the search,
    its ensembles and its export all build the context this way); ``options``: ``evaluation``,
    ``validation_only``."""
    return build_context(
        split,
        config.model.name,
        config.model.options,
        config.encoder_components,
        seed=config.seed,
        progress=progress,
        **options,
    )
