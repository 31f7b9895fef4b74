"""The retraining trial: one candidate subset -> its synthetic samples -> retrain -> report.

A Ray Tune function trainable. The heavy shared state arrives as an object-store reference and is
deserialised once per trial actor (actors are reused between trials of a search).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

import ray
from ray import tune

from autogets_ray.experiment.context import ExperimentContext
from autogets_ray.metrics import val_test_metrics
from autogets_ray.ray_session import granted_trial_resources

#: context object-ref hex -> context, per worker process (trial actors are reused).
_CONTEXTS: dict[str, ExperimentContext] = {}


#: Config keys naming the trial's search (the engine's interleaver puts them into every trial config).
SEARCH_KEYS = ("search_id", "strategy", "target_class", "objective")


@dataclass(frozen=True)
class TrialSettings:
    """What every trial of an experiment shares (small; pickled into the trainable).

    The trial's own search (id, strategy, target class, objective) comes with its config.
    """

    llm_service: Any  # the driver's LLMService actor handle (config resolved once, in the driver)
    context_ref: Any  # ray.ObjectRef[ExperimentContext]
    model_overrides: tuple[tuple[str, Any], ...] = ()


def _context(ref: Any) -> ExperimentContext:
    key = ref.hex()
    if key not in _CONTEXTS:
        _CONTEXTS.clear()  # one experiment at a time per worker
        _CONTEXTS[key] = ray.get(ref)
    return _CONTEXTS[key]


def trial_report(config: dict[str, Any], settings: TrialSettings) -> dict[str, Any]:
    """Everything a trial reports; needs Ray (the LLM actor, the context ref) but not a Tune session."""
    from autogets_ray.llm import Example

    missing = [key for key in SEARCH_KEYS if key not in config]
    if missing:
        raise ValueError(
            f"trial config lacks {', '.join(missing)}: configs come from the interleaved searcher"
        )
    target, objective_name = str(config["target_class"]), str(config["objective"])
    started_at, started = time.time(), time.perf_counter()
    context = _context(settings.context_ref)
    context_seconds = time.perf_counter() - started
    ids = [int(i) for i in config["example_ids"]]
    examples = [Example(example_id=i, text=context.text_of(i), label=target) for i in ids]
    llm_started = time.perf_counter()
    generated = ray.get(settings.llm_service.generate.remote(examples))
    llm_seconds = time.perf_counter() - llm_started
    if generated.stopped:  # the endpoint is down: a candidate with part of its samples would mislead
        raise RuntimeError(f"{config.get('candidate_id')}: {generated.stopped}")
    texts = generated.samples["text"].tolist()
    if ids and not texts:
        first = next(iter(generated.errors.values()), "no samples returned")
        raise RuntimeError(
            f"the LLM produced no samples for the {len(ids)} examples of "
            f"{config.get('candidate_id')}: {first}"
        )
    sources = generated.samples["source_id"].tolist()
    result = context.score(texts, [target] * len(texts), sources, dict(settings.model_overrides))
    objective = result.val.objective(objective_name, target)
    counters = generated.counters
    return {
        # Tune's metric; the runner renames it val_objective and objective_name back to objective.
        "objective": objective if not math.isnan(objective) else float("-inf"),
        "objective_name": objective_name,
        "search_id": str(config["search_id"]),
        "strategy": str(config["strategy"]),
        "target_class": target,
        "test_objective": result.test.objective(objective_name, target),
        "val_objective_se": result.val.standard_error(objective_name, target),
        "val_objective_folds": json.dumps(result.val.objective_folds(objective_name, target).tolist()),
        "proposal_index": int(config.get("proposal_index", -1)),
        "retrain_seconds": result.retrain_seconds,
        "fits": result.fits,
        "model_device": result.device,
        "llm_seconds": llm_seconds,
        "context_seconds": context_seconds,
        "trial_seconds": time.perf_counter() - started,
        "started_at": started_at,  # wall clock (epoch s): shows how trials overlapped
        "finished_at": time.time(),
        "subset_size": len(ids),
        "n_synthetic": result.n_synthetic,
        "llm_failures": len(generated.errors),
        "llm_cache_hits": counters.get("cache_hits", 0),
        "llm_backend_calls": counters.get("backend_calls", 0),
        "llm_tokens_out": counters.get("tokens_out", 0),
        "candidate_id": config.get("candidate_id", ""),
        "node_id": ray.get_runtime_context().get_node_id(),
        "gpu_ids": ",".join(str(g) for g in ray.get_gpu_ids()),
        **val_test_metrics(result.val, result.test),
    }


def retrain_trial(config: dict[str, Any], settings: TrialSettings) -> None:
    """Ray Tune entry point (wrap with ``tune.with_parameters(retrain_trial, settings=...)``)."""
    report = trial_report(config, settings)
    report.update(granted_trial_resources())
    tune.report(report)
