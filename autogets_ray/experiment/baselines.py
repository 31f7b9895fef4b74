"""The no-search baselines: what a practitioner tries before any search, one fit (per fold) each.

Per target class, on the experiment's split and under its evaluation scheme:

- ``m0``: the classifier on the real training rows.
- ``all-examples``: plus the synthetic samples of *every* training example of the class, from the
  same generator and cache as the searches (so a search that touches an example later gets it free).
- ``duplicate``: plus real rows of the class drawn with replacement (random oversampling, seeded),
  as many as ``all-examples`` adds: is it the LLM's text, or just more weight on the class?
- ``class-weight``: M0 refitted with balanced class weights (the model's own option: ``class_weight``
  for ``linear``, ``auto_class_weights`` for ``catboost``); the same model for every class.

The searches must beat these, not only M0 (:mod:`autogets_ray.experiment.decision`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.experiment.context import ExperimentContext
from autogets_ray.experiment.evaluation import ScoredCandidate
from autogets_ray.metrics import val_test_metrics
from autogets_ray.models import create_model
from autogets_ray.progress import Progress

BASELINES = ("m0", "all-examples", "duplicate", "class-weight")
#: added rows of ``duplicate`` per example when ``all-examples`` is not run to count them
DEFAULT_SAMPLES_PER_EXAMPLE = 5


def check_baselines(names: Sequence[str]) -> list[str]:
    """The names in :data:`BASELINES` order, each once; a clear error for an unknown one."""
    unknown = [n for n in names if n not in BASELINES]
    if unknown:
        raise UserInputError(
            f"baselines: unknown baseline {unknown[0]!r}; choose from {', '.join(BASELINES)} (or [] for none)"
        )
    return [n for n in BASELINES if n in names]


@dataclass
class BaselineScore:
    target_class: str
    baseline: str
    score: ScoredCandidate
    n_added: int


def _generate_all(context: ExperimentContext, target: str, generate: Callable[[list], Any]) -> Any:
    from autogets_ray.llm import Example

    rows = context.class_rows(target)
    examples = [
        Example(example_id=int(context.train_row_ids[i]), text=str(context.train_texts[i]), label=target)
        for i in rows
    ]
    generated = generate(examples)
    if generated.stopped:
        raise ValueError(f"baseline all-examples of class {target!r}: {generated.stopped}")
    if rows.size and generated.samples.empty:
        first = next(iter(generated.errors.values()), "no samples returned")
        raise ValueError(f"baseline all-examples of class {target!r}: the LLM produced no samples: {first}")
    return generated


def duplicate_rows(
    context: ExperimentContext, target: str, n_added: int, seed: int
) -> tuple[list[str], list[int]]:
    """``n_added`` real training rows of ``target`` drawn with replacement: texts and row ids."""
    rows = context.class_rows(target)
    picked = np.random.default_rng(seed).choice(rows, size=n_added, replace=True) if n_added else rows[:0]
    return [str(context.train_texts[i]) for i in picked], [int(context.train_row_ids[i]) for i in picked]


def score_baselines(
    context: ExperimentContext,
    targets: Sequence[str],
    names: Sequence[str],
    generate: Callable[[list], Any],
    seeds: dict[str, int],
    model_overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> list[BaselineScore]:
    """Every baseline in ``names`` for every target class. ``generate(examples)`` returns a
    GenerationResult (the LLM service); ``seeds`` maps a target class to its ``duplicate`` seed."""
    progress = progress or Progress(enabled=False)
    names = check_baselines(names)
    overrides = dict(model_overrides or {})
    out: list[BaselineScore] = []
    weighted = None
    if "class-weight" in names:
        options = {
            **overrides,
            **create_model(context.model_name, **context.model_options).balanced_weight_options(),
        }
        with progress.step(f"baseline class-weight ({', '.join(f'{k}={v}' for k, v in options.items())})"):
            weighted = context.score([], [], [], options)
    for target in targets:
        n_added = DEFAULT_SAMPLES_PER_EXAMPLE * len(context.class_rows(target))
        for name in names:
            if name == "m0":
                score, added = context.m0_score, 0
            elif name == "all-examples":
                with progress.step(
                    f"baseline all-examples of {target}: samples of its "
                    f"{len(context.class_rows(target))} training examples"
                ):
                    generated = _generate_all(context, target, generate)
                    texts = generated.samples["text"].tolist()
                    score = context.score(
                        texts, [target] * len(texts), generated.samples["source_id"].tolist(), overrides
                    )
                added = n_added = len(texts)
            elif name == "duplicate":
                with progress.step(f"baseline duplicate of {target}: {n_added} real rows drawn again"):
                    texts, sources = duplicate_rows(context, target, n_added, seeds[target])
                    score = context.score(texts, [target] * len(texts), sources, overrides)
                added = len(texts)
            else:
                score, added = weighted, 0
            out.append(BaselineScore(target, name, score, added))
    return out


def baselines_frame(scores: Sequence[BaselineScore], objectives: Sequence[str]) -> pd.DataFrame:
    """``baselines.csv``: one row per class x objective x baseline, with every val/test metric."""
    rows = []
    for item in scores:
        val, test = item.score.val, item.score.test
        for objective in objectives:
            rows.append(
                {
                    "target_class": item.target_class,
                    "objective": objective,
                    "baseline": item.baseline,
                    "val_objective": val.objective(objective, item.target_class),
                    "val_objective_se": val.standard_error(objective, item.target_class),
                    "val_objective_folds": json.dumps(
                        val.objective_folds(objective, item.target_class).tolist()
                    ),
                    "test_objective": test.objective(objective, item.target_class),
                    "n_added": item.n_added,
                    "fits": item.score.fits,
                    "retrain_seconds": item.score.retrain_seconds,
                    **val_test_metrics(val, test),
                }
            )
    columns = [
        "target_class",
        "objective",
        "baseline",
        "val_objective",
        "val_objective_se",
        "val_objective_folds",
        "test_objective",
        "n_added",
        "fits",
        "retrain_seconds",
    ]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
