"""Run an ensemble on a finished experiment's results directory (the thin, real-retrain layer).

``evaluate(steps)`` rebuilds the experiment's context (split, featuriser, model; no Ray needed) and
retrains on the real training rows plus the union of the steps' synthetic samples. A step's samples
are the search winner's rows of ``best_samples.parquet``, or, for any other trial, regenerated from
the run's LLM cache through the trial's ``example_ids`` (same ``AUTOGETS_CACHE_DIR`` as the search).
Retrains of identical step sets are cached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.ensemble.algorithms import REQUIREMENTS, requirement_keys, run_requirement
from autogets_ray.ensemble.candidates import CandidatePool, Step
from autogets_ray.ensemble.knowledge import build_and_save_knowledge
from autogets_ray.ensemble.trace import EnsembleRun
from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import metric_column
from autogets_ray.metrics import val_test_metrics
from autogets_ray.progress import Progress

ENSEMBLE_DIR = "ensemble"
RULES = {
    "decisions": "validation metrics only; test metrics are reported",
    "step": "one searched trial's synthetic samples (labelled with its class) appended to training; "
    "candidates = the chosen search's best trials by the recorded validation metric",
    "improved": "strictly greater validation value than the current model",
    "rejected_step": "a model failing the termination test is not kept; the run ends at the last accepted model",
    "r1": "classes by ascending size; a class is processed while its current val metric < threshold; "
    "terminate when no candidate improves it or none keeps every earlier class's gain "
    "(value - value before its step >= keep_fraction * its step's gain)",
    "r2": "classes by descending val ΔOBA (knowledge_base/oba_effect.csv); best global-metric search per class; "
    "terminate when a step does not improve the overall metric",
    "r3": "the important class and its related classes (positive entries of its column in "
    "knowledge_base/interaction.csv) by descending value; best local-metric search per class; "
    "the candidate maximising the important class's metric; terminate when it does not improve",
    "comparisons": "the same algorithm with a fixed strategy-objective (single:S-O) or a seeded random one "
    "(random:SEED)",
}


class SampleSource:
    """Synthetic texts of a step: best_samples.parquet for search winners, else the LLM cache."""

    def __init__(self, results_dir: Path, pool: CandidatePool, context: Any, llm: dict[str, Any]) -> None:
        path = results_dir / "best_samples.parquet"
        self.best = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["search_id", "text"])
        self.pool, self.context, self.llm = pool, context, llm
        self._generator: Any = None

    def identity(self, step: Step) -> tuple[str, tuple[int, ...]]:
        """What a step appends: its class and the set of source examples."""
        return step.applied_class, tuple(sorted(set(self.pool.example_ids(step))))

    def texts(self, step: Step) -> list[str]:
        stored = self.best[self.best["search_id"] == step.search_id]
        if "candidate_id" in stored:  # the file names the candidate it holds (any search's pick)
            stored = stored[stored["candidate_id"].astype(str) == step.candidate_id]
        elif step.candidate_id != self.pool.best_candidate(step.search_id):  # older results
            stored = stored.iloc[0:0]
        if len(stored):
            return stored["text"].astype(str).tolist()
        return self._regenerate(step)

    def _regenerate(self, step: Step) -> list[str]:
        from autogets_ray.llm import Example, GenerationConfig, build_generator

        if self._generator is None:
            self._generator = build_generator(
                GenerationConfig.from_dict(self.llm), self.context.class_texts()
            )
        examples = [
            Example(example_id=i, text=self.context.text_of(i), label=step.applied_class)
            for i in self.pool.example_ids(step)
        ]
        result = self._generator.generate(examples)
        if examples and result.samples.empty:
            first = next(iter(result.errors.values()), "no samples returned")
            raise RuntimeError(
                f"the LLM produced no samples for {step.search_id} {step.candidate_id}: {first}"
            )
        return result.samples["text"].astype(str).tolist()

    def close(self) -> None:
        if self._generator is not None:
            self._generator.close()


class RetrainEvaluator:
    """``evaluate(steps)`` with a cache keyed by the set of steps."""

    def __init__(self, context: Any, samples: SampleSource, progress: Progress) -> None:
        self.context, self.samples, self.progress = context, samples, progress
        self.cache: dict[frozenset[Step], dict[str, float]] = {}
        self.retrains = 0
        self.retrain_seconds = 0.0
        m0 = {"n_synthetic": 0.0, "retrain_seconds": context.m0_fit_seconds}
        self.cache[frozenset()] = {**m0, **val_test_metrics(context.m0_val, context.m0_test)}

    def __call__(self, steps: Sequence[Step]) -> dict[str, float]:
        # Steps are keyed by what they append (class + source examples): two trials of the same
        # subset, or the same set in another order, are one retrain.
        chosen = {self.samples.identity(step): step for step in steps}
        key = frozenset(chosen)
        if key not in self.cache:
            texts: list[str] = []
            labels: list[str] = []
            for identity in sorted(key):  # a set's rows in one fixed order: same set, same model
                new = self.samples.texts(chosen[identity])
                texts += new
                labels += [identity[0]] * len(new)
            result = self.context.retrain(texts, labels)
            self.retrains += 1
            self.retrain_seconds += result.retrain_seconds
            self.cache[key] = {
                "n_synthetic": float(len(texts)),
                "retrain_seconds": result.retrain_seconds,
                **val_test_metrics(result.val, result.test),
            }
            self.progress.info(
                f"retrain #{self.retrains}: {len(key)} step(s), {len(texts)} synthetic rows, "
                f"val OBA {result.val.oba:.4f}, {result.retrain_seconds:.1f} s"
            )
        return self.cache[key]


def output_name(requirement: str, important: str | None) -> str:
    if requirement != "r3":
        return requirement
    return "r3-" + re.sub(r"[^A-Za-z0-9]+", "_", important or "").strip("_")


@dataclass
class EnsembleOutcome:
    out: Path
    runs: list[EnsembleRun]
    result: dict[str, Any] = field(default_factory=dict)


def run_ensemble(
    results_dir: str | Path,
    requirement: str,
    *,
    threshold: float = 0.8,
    important: str | None = None,
    metric: str | None = None,
    candidates: int = 3,
    compare: bool = True,
    random_runs: int = 3,
    seed: int = 0,
    progress: Progress | None = None,
) -> EnsembleOutcome:
    """Knowledge base, then ``requirement``'s ensemble (and comparisons) with real retrains; writes
    ``<results>/ensemble/<name>/steps.csv`` and ``result.json``."""
    from autogets_ray.data.splits import Split
    from autogets_ray.experiment.context import context_for
    from autogets_ray.experiment.config import read_saved_config

    progress = progress or Progress()
    root = Path(results_dir)
    if requirement not in REQUIREMENTS:
        raise UserInputError(f"unknown requirement {requirement!r}; choose from {', '.join(REQUIREMENTS)}")
    if requirement == "r3" and not important:
        raise UserInputError("requirement r3 needs the important class (--target-class)")
    if requirement != "r3" and important:
        raise UserInputError("--target-class is for requirement r3 only")
    metric = metric or {"r1": "cba", "r2": "oba", "r3": "cba"}[requirement]
    with progress.step("building the knowledge base"):
        kb = build_and_save_knowledge(root)
    if important:
        kb.check_class(important)
    params: dict[str, Any] = {"metric": metric, "candidates": candidates}
    if requirement == "r1":
        params["threshold"] = threshold
    if requirement == "r3":
        params["important"] = important
    pool = CandidatePool(pd.read_parquet(root / "trials.parquet"))
    config = read_saved_config(root)
    context = context_for(config, Split.load(root), progress)
    samples = SampleSource(root, pool, context, config.llm)
    evaluate = RetrainEvaluator(context, samples, progress)
    try:
        m0 = evaluate([])
        recorded = {metric_column(k, split="val"): v for k, v in kb.m0["val"].items()}
        if any(abs(m0[c] - v) > 1e-9 for c, v in recorded.items() if c in m0):
            progress.info(
                "warning: the retrained M0 differs from m0.json (a non-deterministic model?); "
                "the ensemble is measured against the retrained M0"
            )
        runs = run_requirement(
            requirement, kb, pool, m0, evaluate, compare=compare, random_runs=random_runs, seed=seed, **params
        )
    finally:
        samples.close()
    out = root / ENSEMBLE_DIR / output_name(requirement, important)
    out.mkdir(parents=True, exist_ok=True)
    pd.concat([r.frame() for r in runs], ignore_index=True).to_csv(out / "steps.csv", index=False)
    keys = requirement_keys(requirement, kb, metric, important)
    ensemble = runs[0].summary(keys)
    result = {
        "requirement": requirement,
        "parameters": {
            **params,
            "compare": compare,
            "random_runs": random_runs if compare else 0,
            "seed": seed,
        },
        "rules": RULES,
        "val": ensemble["val"],
        "test": ensemble["test"],
        "steps": ensemble["steps"],
        "termination": ensemble["termination"],
        "notes": ensemble["notes"],
        "n_synthetic": ensemble["n_synthetic"],
        "comparisons": [r.summary(keys) for r in runs[1:]],
        "retrains": evaluate.retrains,
        "retrain_seconds": evaluate.retrain_seconds,
    }
    (out / "result.json").write_text(json.dumps(result, indent=2))
    return EnsembleOutcome(out, runs, result)
