"""The experiment config the search benchmarks build from their common command-line options."""
from __future__ import annotations

import argparse
from typing import Any


def experiment_config(args: argparse.Namespace, backend: str, objectives: str) -> Any:
    """A validated SearchConfig: dataset, classes, strategies, ``objectives`` (comma list), budget,
    model, max candidates, ``backend`` and ``--llm KEY=VALUE`` generation options."""
    from autogets_ray.experiment.config import load_config

    targets = args.classes if ":" in args.classes or args.classes == "all" else f"[{args.classes}]"
    return load_config(overrides=[
        f"dataset.name={args.dataset}", f"target_classes={targets}", f"strategies=[{args.strategies}]",
        f"objectives=[{objectives}]", f"budget_seconds={args.budget}", f"model.name={args.model}",
        f"max_candidates={'null' if args.max_candidates is None else args.max_candidates}",
        f"llm.backend={backend}", f"max_concurrent_trials={args.concurrency}",
        *(f"llm.{item}" for item in args.llm),
    ])
