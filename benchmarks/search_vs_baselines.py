"""Does the search pay? Every search strategy next to the no-search baselines, over repeated splits.

For each arm (LLM backend x evaluation scheme): the chosen classes x strategies, one objective,
equal retrain-second budget per search, on every split seed (``run_split_experiments``). Reported
per class: each method's test change in CBA and OBA over M0 (mean and 95% t-interval over the
splits) and how often each search's recommendation was keep-M0 / a baseline / its candidate.
Validation chose everything; test only reports. Results stay under --out for inspection.

    python benchmarks/search_vs_baselines.py --data-dir ../shared/data --split-seeds 0,1,2 \\
        --backend ngram --scheme holdout --scheme kfold
    # real-LLM pools (benchmarks/real_llm_pools.py) on the split they were generated for:
    AUTOGETS_CACHE_DIR=/path/to/pools/cache python benchmarks/search_vs_baselines.py \\
        --split-seeds 42 --backend local-lm --llm template=list --scheme holdout --scheme kfold
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from bench_config import add_experiment_options, experiment_config


def arm_rows(backend: str, scheme: str, table) -> list[str]:
    """Markdown rows of one arm: per class and method, test changes with intervals."""
    def cell(row, column):
        mean, low, high = (row[f"{column}_{k}"] for k in ("mean", "low", "high"))
        return f"{mean:+.4f} [{low:+.4f}, {high:+.4f}]" if low == low else f"{mean:+.4f}"

    rows = []
    for _, row in table.iterrows():
        chose = (f"{int(row['chose_m0'])}/{int(row['chose_baseline'])}/{int(row['chose_search'])}"
                 if row["kind"] == "decision" else "")
        rows.append(f"| {backend} | {scheme} | {row['target_class']} | {row['method']} | {int(row['splits'])} | "
                    f"{cell(row, 'delta_cba_test')} | {cell(row, 'delta_oba_test')} | {chose} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_experiment_options(parser, strategies="sw,hsw,ga,random", budget=30.0, max_candidates=None,
                           out="results/bench-baselines")
    parser.add_argument("--objective", default="cba")
    parser.add_argument("--split-seeds", default="0,1,2")
    parser.add_argument("--scheme", action="append", help="evaluation scheme(s): holdout, kfold, repeated")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir", default=None, help="directory holding it_tickets/ (else $AUTOGETS_DATA_DIR)")
    args = parser.parse_args()

    import ray

    from autogets_ray.experiment.config import SearchConfig, _build, apply_override
    from autogets_ray.experiment.runner import run_split_experiments
    from autogets_ray.progress import Progress

    lines = [f"{args.dataset}, classes {args.classes}, objective {args.objective}, model {args.model}, "
             f"budget {args.budget:g} retrain-s per search (every fold's fit counts), split seeds "
             f"{args.split_seeds}, kfold K={args.folds}, {args.concurrency} concurrent trials, LLM options "
             f"{args.llm or 'defaults'}; {platform.machine()}, {os.cpu_count()} CPUs", "",
             "| backend | scheme | class | method | splits | dCBA test [95%] | dOBA test [95%] | "
             "chose M0/baseline/search |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for backend in args.backend or ["ngram"]:
        for scheme in args.scheme or ["holdout"]:
            config = experiment_config(args, backend, args.objective)
            data = config.to_dict()
            for item in (f"split_seeds=[{args.split_seeds}]", f"evaluation.scheme={scheme}",
                         f"evaluation.folds={args.folds}",
                         *([f"dataset.data_dir={args.data_dir}"] if args.data_dir else [])):
                apply_override(data, item)
            config = _build(SearchConfig, data, "benchmark").validate()
            start = time.perf_counter()
            result = run_split_experiments(config, args.out / f"{args.model}-{backend}-{scheme}", progress=Progress())
            wall = time.perf_counter() - start
            ray.shutdown()
            lines += arm_rows(backend, scheme, result.table)
            print(f"{backend} {scheme}: {wall:.0f} s wall-clock", flush=True)
    text = "\n".join(lines)
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "table.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
