"""The search benchmarks' common command-line options and the experiment config built from them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_experiment_options(
    parser: argparse.ArgumentParser, *, strategies: str, budget: float, max_candidates: int | None, out: str
) -> None:
    """Dataset, classes, strategies, budget, candidates, model, backends, concurrency, LLM options, out."""
    parser.add_argument("--dataset", default="it-tickets-tail")
    parser.add_argument("--classes", default="smallest:4")
    parser.add_argument("--strategies", default=strategies)
    parser.add_argument("--budget", type=float, default=budget, help="retrain seconds per search")
    parser.add_argument("--max-candidates", type=int, default=max_candidates)
    parser.add_argument("--model", default="linear")
    parser.add_argument("--backend", action="append", help="LLM backend(s); default ngram")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--llm",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="generation option for every backend, e.g. samples_per_example=2",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any config override, e.g. strategy_params.datamodel.initial=12",
    )
    parser.add_argument("--out", type=Path, default=Path(out))


def experiment_config(args: argparse.Namespace, backend: str, objectives: str) -> Any:
    """A validated SearchConfig: dataset, classes, strategies, ``objectives`` (comma list), budget,
    model, max candidates, ``backend``, ``--llm KEY=VALUE`` generation options and ``--set`` overrides."""
    from autogets_ray.experiment.config import load_config

    targets = args.classes if ":" in args.classes or args.classes == "all" else f"[{args.classes}]"
    return load_config(
        overrides=[
            f"dataset.name={args.dataset}",
            f"target_classes={targets}",
            f"strategies=[{args.strategies}]",
            f"objectives=[{objectives}]",
            f"budget_seconds={args.budget}",
            f"model.name={args.model}",
            f"max_candidates={'null' if args.max_candidates is None else args.max_candidates}",
            f"llm.backend={backend}",
            f"max_concurrent_trials={args.concurrency}",
            *(f"llm.{item}" for item in args.llm),
            *args.overrides,
        ]
    )
