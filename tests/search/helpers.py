"""Synthetic search problems and a deterministic stand-in for 'LLM samples -> retrain -> score'."""

from __future__ import annotations

import math

import numpy as np

from autogets_ray.search import FINISHED, Candidate, SearchCore, SearchProblem, TrialOutcome

CLASS_SIZES = {"A": 40, "B": 90, "C": 30, "D": 12, "E": 200}


def make_problem(n: int = 40, k: int = 3, seed: int = 7, **options) -> SearchProblem:
    """n target examples (row ids 100, 103, 106, ...) among 3n training rows, k PCA components."""
    rng = np.random.default_rng(seed)
    all_coords = rng.normal(size=(3 * n, k))
    options.setdefault("budget_seconds", math.inf)
    return SearchProblem(
        target_class="A",
        example_ids=100 + 3 * np.arange(n),
        coords=all_coords[:n],
        all_coords=all_coords,
        class_sizes={**CLASS_SIZES, "A": n},
        **options,
    )


def synthetic_outcome(example_ids, seconds: float = 1.0) -> TrialOutcome:
    """A known score of a subset: high for small subsets of 'good' (low) row ids."""
    ids = np.asarray(example_ids, dtype=float)
    objective = float(1.0 - ids.mean() / 1000.0 - 0.002 * len(ids))
    metrics = {
        "accuracy": round(objective, 2),
        "cr[A]": round(objective, 1),
        "cr[B]": round(1.0 - len(ids) / 100.0, 1),
        "cr[C]": 0.5,
        "cr[D]": float(len(ids) % 3 == 0),
        "cr[E]": 0.9,
    }
    return TrialOutcome(objective, seconds, metrics)


def ids(candidates) -> list[str]:
    return [c.candidate_id for c in candidates]


def drive(core: SearchCore, evaluate=synthetic_outcome, limit: int = 10_000) -> list[Candidate]:
    """Ask/tell sequentially until FINISHED; returns the asked candidates."""
    asked = []
    for _ in range(limit):
        candidate = core.ask()
        if candidate is FINISHED:
            return asked
        if candidate is None:
            raise AssertionError("a sequential driver never has outstanding trials")
        asked.append(candidate)
        core.tell(candidate.candidate_id, evaluate(candidate.example_ids))
    raise AssertionError(f"no FINISHED after {limit} candidates")


def drive_batches(core: SearchCore, evaluate=synthetic_outcome, limit: int = 10_000) -> list[list[Candidate]]:
    """Ask until None/FINISHED, then tell the whole batch in reverse order; returns the batches."""
    batches: list[list[Candidate]] = []
    for _ in range(limit):
        batch = []
        while True:
            candidate = core.ask()
            if candidate is None or candidate is FINISHED:
                break
            batch.append(candidate)
        for c in reversed(batch):
            core.tell(c.candidate_id, evaluate(c.example_ids))
        if batch:
            batches.append(batch)
        if candidate is FINISHED and not core.pending:
            return batches
    raise AssertionError(f"no FINISHED after {limit} batches")
