"""Reproduce the AutoGeTS pipeline (paper §4-5) at a reduced budget: matrix -> knowledge base -> R3 -> report.

For each LLM backend: the experiment matrix (classes x SW/HSW/GA x CR/CBA/OBA/OF1, all interleaved on
one Tuner) on ``--dataset``, its knowledge base, R3 for the smallest class (with the single-strategy
and random comparisons of Fig. 7) and the report. Prints a Markdown block for benchmarks/RESULTS.md:
best ΔCBA per class on validation and on test, and R3's result against the comparisons.
Re-running continues an interrupted matrix (and reuses the LLM cache).

    python benchmarks/reproduce_autogets.py --backend ngram --classes smallest:4
    python benchmarks/reproduce_autogets.py --backend local-lm --classes smallest:1 --max-candidates 4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import pandas as pd
from bench_config import add_experiment_options, experiment_config


def run_matrix(args: argparse.Namespace, backend: str, out: Path) -> float:
    import ray

    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    config = experiment_config(args, backend, args.objectives)
    started = time.perf_counter()
    run_experiment(config, out, resume=(out / "config.yaml").exists(), progress=Progress())
    ray.shutdown()
    return time.perf_counter() - started


def best_delta_table(out: Path) -> pd.DataFrame:
    """Per class (Table 3's CBA column): the best validation ΔCBA over every trial of its searches, that
    trial's test ΔCBA and search, and the mean test ΔCBA of the searches' own winners."""
    lookup = pd.read_csv(out / "knowledge_base" / "lookup.csv")
    summary = pd.read_csv(out / "summary.csv")
    rows = []
    for row in lookup[lookup["metric"] == "cba"].itertuples(index=False):
        own = summary[summary["target_class"] == row.target_class]
        rows.append(
            {
                "class": row.target_class,
                "M0 CBA val": row.m0_val,
                "best dCBA val": row.delta_val,
                "its dCBA test": row.delta_test,
                "by": f"{row.strategy}-{row.objective}",
                "mean dCBA test of the searches' winners": own["delta_cba_test"].mean(),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_experiment_options(
        parser, strategies="sw,hsw,ga", budget=60.0, max_candidates=6, out="results/bench-autogets"
    )
    parser.add_argument("--objectives", default="cr,cba,oba,of1")
    args = parser.parse_args()

    from autogets_ray.ensemble.knowledge import build_and_save_knowledge
    from autogets_ray.ensemble.run import run_ensemble
    from autogets_ray.metric_names import metric_column
    from autogets_ray.progress import Progress
    from autogets_ray.reporting.render import markdown_table
    from autogets_ray.reporting.report import write_report

    print(
        f"{args.dataset}, classes {args.classes}, strategies {args.strategies}, objectives {args.objectives}, "
        f"model {args.model}, budget {args.budget:g} retrain-s and at most {args.max_candidates} candidates "
        f"per search, {args.concurrency} concurrent trials, LLM options {args.llm or 'defaults'}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d')}\n"
    )
    for backend in args.backend or ["ngram"]:
        out = args.out / f"{args.model}-{backend}"
        wall = run_matrix(args, backend, out)
        trials = pd.read_parquet(out / "trials.parquet")
        kb = build_and_save_knowledge(out)
        smallest = kb.searched_classes()[-1]
        outcome = run_ensemble(out, "r3", important=smallest, progress=Progress(prefix="autogets ensemble"))
        report = write_report(out)
        result = outcome.result
        print(
            f"### backend `{backend}`: {len(trials)} trials in {wall / 60:.1f} min "
            f"({trials['retrain_seconds'].sum():.0f} retrain-s), report {report}\n"
        )
        print(markdown_table(best_delta_table(out).round(4)), "\n")
        key = metric_column("cba", smallest)
        lines = [
            "| method | accepted steps | dCBA val | dCBA test | stopped |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for entry in [
            {
                "method": "ensemble (knowledge base)",
                "val": result["val"],
                "test": result["test"],
                "accepted_steps": len(result["steps"]),
                "termination": result["termination"],
            },
            *result["comparisons"],
        ]:
            lines.append(
                f"| {entry['method']} | {entry['accepted_steps']} | {entry['val'][key]['delta']:+.4f} | "
                f"{entry['test'][key]['delta']:+.4f} | {(entry['termination'] or {}).get('code', '')} |"
            )
        print(f"R3 for the smallest class ({smallest}):\n")
        print("\n".join(lines), "\n")
        (out / "reproduce_summary.json").write_text(
            json.dumps(
                {
                    "backend": backend,
                    "trials": len(trials),
                    "wall_seconds": wall,
                    "best": best_delta_table(out).to_dict(orient="records"),
                    "r3_smallest": smallest,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
