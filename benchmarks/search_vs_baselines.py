"""Does the search pay? Every search strategy next to the no-search baselines, over repeated splits.

For each arm (LLM backend x evaluation scheme): the chosen classes x strategies, one objective,
equal retrain-second budget per search, on every split seed (``run_split_experiments``). Reported
per class: each method's test change in CBA and OBA over M0 (mean and 95% t-interval over the
splits) and how often each search's recommendation was keep-M0 / a baseline / its candidate.
Validation chose everything; test only reports. With the ``datamodel`` strategy it also prints how well
the fitted model predicted its guided proposals (Spearman, per search). Results stay under --out.

    python benchmarks/search_vs_baselines.py --data-dir ../shared/data --split-seeds 0,1,2 \\
        --backend ngram --scheme holdout --scheme kfold
    # real-LLM pools (benchmarks/real_llm_pools.py --split-seed S for each seed) from their cache:
    AUTOGETS_CACHE_DIR=/path/to/pools/cache python benchmarks/search_vs_baselines.py \\
        --split-seeds 0,1,2 --classes smallest:2 --backend local-lm --llm template=list --scheme holdout --scheme kfold
    # one table per class over the arms' results (columns: arms; rows: methods):
    python benchmarks/search_vs_baselines.py --combine results/bench-baselines/linear-ngram-holdout ...
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
        chose = (
            f"{int(row['chose_m0'])}/{int(row['chose_baseline'])}/{int(row['chose_search'])}"
            if row["kind"] == "decision"
            else ""
        )
        rows.append(
            f"| {backend} | {scheme} | {row['target_class']} | {row['method']} | {int(row['splits'])} | "
            f"{cell(row, 'delta_cba_test')} | {cell(row, 'delta_oba_test')} | {chose} |"
        )
    return rows


def prediction_quality(arm_dir: Path) -> list[str]:
    """Markdown rows: per split and datamodel search, the Spearman correlation of the model's
    predicted objective of each guided proposal (made before its trial ran) with the observed one."""
    import pandas as pd

    from autogets_ray.search.datamodel import PREDICTIONS_FILE

    rows = []
    for path in sorted(Path(arm_dir).glob(f"split-*/searches/*/{PREDICTIONS_FILE}")):
        frame = pd.read_parquet(path).dropna(subset=["observed"])
        rho = (
            frame["predicted"].corr(frame["observed"], method="spearman") if len(frame) > 2 else float("nan")
        )
        rows.append(f"| {path.parts[-4]} | {path.parent.name} | {len(frame)} | {rho:+.2f} |")
    return rows


def combined_tables(directories: list[Path]) -> str:
    """Per class: each method's test change in CBA (mean [95%]) under every arm, and the decisions."""
    import pandas as pd

    arms = {
        Path(d).name.removeprefix("linear-"): pd.read_csv(Path(d) / "split_summary.csv") for d in directories
    }
    classes = list(dict.fromkeys(c for t in arms.values() for c in t["target_class"]))
    out = []
    for target in classes:
        out += [
            f"**{target}**: test change in CBA over M0, mean [95% interval] over the splits "
            f"(+decision: chose M0/baseline/search)",
            "",
            "| method | " + " | ".join(arms) + " |",
            "| --- |" + " ---: |" * len(arms),
        ]
        methods = list(
            dict.fromkeys(m for t in arms.values() for m in t.loc[t["target_class"] == target, "method"])
        )
        for method in methods:
            cells = []
            for table in arms.values():
                row = table[(table["target_class"] == target) & (table["method"] == method)]
                if row.empty:
                    cells.append("")
                    continue
                row = row.iloc[0]
                cell = f"{row['delta_cba_test_mean']:+.3f}"
                if row["delta_cba_test_low"] == row["delta_cba_test_low"]:  # an interval (2+ splits)
                    cell += f" [{row['delta_cba_test_low']:+.3f}, {row['delta_cba_test_high']:+.3f}]"
                if row["kind"] == "decision":
                    cell += (
                        f" ({int(row['chose_m0'])}/{int(row['chose_baseline'])}/{int(row['chose_search'])})"
                    )
                cells.append(cell)
            out.append(f"| {method} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_experiment_options(
        parser, strategies="sw,hsw,ga,random", budget=30.0, max_candidates=None, out="results/bench-baselines"
    )
    parser.add_argument("--objective", default="cba")
    parser.add_argument("--split-seeds", default="0,1,2")
    parser.add_argument("--scheme", action="append", help="evaluation scheme(s): holdout, kfold, repeated")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--data-dir", default=None, help="directory holding it_tickets/ (else $AUTOGETS_DATA_DIR)"
    )
    parser.add_argument(
        "--combine",
        nargs="+",
        type=Path,
        default=None,
        metavar="DIR",
        help="print the per-class tables of finished arms' directories and exit",
    )
    args = parser.parse_args()
    if args.combine:
        print(combined_tables(args.combine))
        return

    import ray

    from autogets_ray.experiment.config import apply_override, config_from_dict
    from autogets_ray.experiment.runner import run_split_experiments
    from autogets_ray.progress import Progress

    lines = [
        f"{args.dataset}, classes {args.classes}, objective {args.objective}, model {args.model}, "
        f"budget {args.budget:g} retrain-s per search (every fold's fit counts), split seeds "
        f"{args.split_seeds}, kfold K={args.folds}, {args.concurrency} concurrent trials, LLM options "
        f"{args.llm or 'defaults'}; {platform.machine()}, {os.cpu_count()} CPUs",
        "",
        "| backend | scheme | class | method | splits | dCBA test [95%] | dOBA test [95%] | "
        "chose M0/baseline/search |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    predictions: list[str] = []
    for backend in args.backend or ["ngram"]:
        for scheme in args.scheme or ["holdout"]:
            config = experiment_config(args, backend, args.objective)
            data = config.to_dict()
            for item in (
                f"split_seeds=[{args.split_seeds}]",
                f"evaluation.scheme={scheme}",
                f"evaluation.folds={args.folds}",
                *([f"dataset.data_dir={args.data_dir}"] if args.data_dir else []),
            ):
                apply_override(data, item)
            config = config_from_dict(data, "benchmark")
            start = time.perf_counter()
            result = run_split_experiments(
                config, args.out / f"{args.model}-{backend}-{scheme}", progress=Progress()
            )
            wall = time.perf_counter() - start
            ray.shutdown()
            lines += arm_rows(backend, scheme, result.table)
            quality = prediction_quality(args.out / f"{args.model}-{backend}-{scheme}")
            if quality:
                predictions += [f"| {backend} {scheme} " + row for row in quality]
            print(f"{backend} {scheme}: {wall:.0f} s wall-clock", flush=True)
    if predictions:
        lines += [
            "",
            "Datamodel predictions of its guided proposals vs their trials (Spearman):",
            "",
            "| arm | split | search | guided trials | Spearman |",
            "| --- | --- | --- | ---: | ---: |",
            *predictions,
        ]
    text = "\n".join(lines)
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "table.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
