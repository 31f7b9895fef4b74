"""Search quality and throughput under a fixed retrain-time budget, per strategy and LLM backend.

For each backend, one experiment: the chosen classes x strategies (sw, hsw, ga, random) x one
objective, each search with the same retrain-seconds budget. Reported per class and strategy: the
best validation trial's change in CBA and OBA on validation (what the search optimised) and on test
(held out), the same against the random baseline of equal budget, and throughput (trials per
retrain-hour). Results (trials.parquet, summary.csv, ...) stay under --out for inspection.

    python benchmarks/search_quality.py --dataset it-tickets-tail --classes smallest:4 --budget 30 --backend ngram
    python benchmarks/search_quality.py --dataset it-tickets-tail --classes smallest:1 --budget 30 --backend local-lm
    python benchmarks/search_quality.py --model catboost --max-candidates 2 --classes smallest:1   # CatBoost throughput
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from bench_config import add_experiment_options, experiment_config


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_experiment_options(
        parser, strategies="sw,hsw,ga,random", budget=30.0, max_candidates=None, out="results/bench-quality"
    )
    parser.add_argument("--objective", default="cba")
    args = parser.parse_args()

    import ray

    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    lines = [
        f"{args.dataset}, classes {args.classes}, objective {args.objective}, model {args.model}, "
        f"budget {args.budget:g} retrain-s per search, max candidates {args.max_candidates}, "
        f"{args.concurrency} concurrent trials, LLM options {args.llm or 'defaults'}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs",
        "",
    ]
    lines.append(
        "| backend | class | strategy | trials | trials / retrain-hour | dCBA val | dCBA test | dOBA val | dOBA test | dCBA val - random | dCBA test - random |"
    )
    lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend in args.backend or ["ngram"]:
        config = experiment_config(args, backend, args.objective)
        start = time.perf_counter()
        result = run_experiment(config, args.out / f"{args.model}-{backend}", progress=Progress())
        wall = time.perf_counter() - start
        ray.shutdown()
        summary = result.summary.set_index(["target_class", "strategy"])
        for (target, strategy), row in summary.iterrows():
            rand = summary.loc[(target, "random")] if (target, "random") in summary.index else None
            per_hour = (
                row["trials"] / (row["retrain_seconds"] / 3600) if row["retrain_seconds"] else float("nan")
            )
            vs = (
                f"{row['delta_cba_val'] - rand['delta_cba_val']:+.4f} | {row['delta_cba_test'] - rand['delta_cba_test']:+.4f}"
                if rand is not None
                else "n/a | n/a"
            )
            lines.append(
                f"| {backend} | {target} | {strategy} | {row['trials']} | {per_hour:,.0f} | "
                f"{row['delta_cba_val']:+.4f} | {row['delta_cba_test']:+.4f} | {row['delta_oba_val']:+.4f} | "
                f"{row['delta_oba_test']:+.4f} | {vs} |"
            )
        lines.append(f"| {backend} | (experiment wall-clock {wall:.0f} s) | | | | | | | | | |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
