"""Pareto GA vs the union of single-objective GA searches at the same total budget, by hypervolume.

For every split seed and class: one ``mode: pareto`` GA search over ``--objectives`` (default
``cr,oba``) with ``--budget`` retrain seconds, against one single-objective GA search per objective,
each with ``--budget / len(objectives)`` (the same total). Each side's front is chosen on
validation (its trials' non-dominated validation points; the union's from the trials of all its
searches); its hypervolume over M0's point is measured on validation and, for the same points, on
test. Also reported: the Pareto search's recommended point (largest first objective that keeps the
others at or above M0 on validation) and the single search on the first objective's best trial,
as test changes of every objective over M0. Results stay under --out.

    python benchmarks/pareto_vs_single.py --data-dir ../shared/data --split-seeds 0,1,2 \\
        --classes smallest:4 --budget 120
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_config import add_experiment_options, experiment_config


def m0_point(run_dir: Path, objectives: list[str], target: str, split: str) -> np.ndarray:
    from autogets_ray.metrics import objective_column

    flat = json.loads((run_dir / "m0.json").read_text())[split]
    return np.array([flat[objective_column(name, target)] for name in objectives], dtype=float)


def side_metrics(trials: pd.DataFrame, objectives: list[str], target: str, run_dir: Path) -> dict[str, float]:
    """Front size and hypervolume over M0 on val and test of one side's trials of one class."""
    from autogets_ray.experiment.pareto import front_rows, objective_columns
    from autogets_ray.metrics import hypervolume

    front = front_rows(trials, objectives, target)
    row: dict[str, float] = {"trials": len(trials), "front": len(front)}
    for split in ("val", "test"):
        points = front[objective_columns(objectives, target, split)].to_numpy(dtype=float)
        row[f"hv_{split}"] = hypervolume(points, m0_point(run_dir, objectives, target, split))
    return row


def pick_deltas(pick: pd.Series | None, objectives: list[str], target: str, run_dir: Path) -> list[float]:
    from autogets_ray.experiment.pareto import objective_columns

    if pick is None:
        return [0.0] * len(objectives)  # nothing recommended: M0 is kept
    values = pick[objective_columns(objectives, target, "test")].to_numpy(dtype=float)
    return list(values - m0_point(run_dir, objectives, target, "test"))


def interval(values: list[float], scale: float = 1.0) -> str:
    """Mean [95% t-interval] of ``values`` times ``scale``."""
    from scipy import stats

    array = np.asarray(values, dtype=float) * scale
    mean = float(array.mean())
    if len(array) < 2:
        return f"{mean:.2f}"
    half = float(stats.t.ppf(0.975, len(array) - 1) * array.std(ddof=1) / np.sqrt(len(array)))
    return f"{mean:.2f} [{mean - half:.2f}, {mean + half:.2f}]"


#: Hypervolumes and changes are shown in percentage points (squared for a 2-D hypervolume).
PP = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_experiment_options(
        parser, strategies="ga", budget=120.0, max_candidates=None, out="results/bench-pareto"
    )
    parser.add_argument("--objectives", default="cr,oba")
    parser.add_argument("--split-seeds", default="0,1,2")
    parser.add_argument(
        "--data-dir", default=None, help="directory holding it_tickets/ (else $AUTOGETS_DATA_DIR)"
    )
    args = parser.parse_args()
    objectives = args.objectives.split(",")

    import ray

    from autogets_ray.experiment.config import apply_override, config_from_dict
    from autogets_ray.experiment.pareto import front_rows, recommended_point
    from autogets_ray.experiment.results import best_trial
    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    def config(mode: str, budget: float, seed: int):
        data = experiment_config(
            args, args.backend[0] if args.backend else "ngram", args.objectives
        ).to_dict()
        for item in (
            f"mode={mode}",
            f"budget_seconds={budget}",
            "baselines=[]",
            f"dataset.split_seed={seed}",
            *([f"dataset.data_dir={args.data_dir}"] if args.data_dir else []),
        ):
            apply_override(data, item)
        return config_from_dict(data, "benchmark")

    rows = []
    start = time.perf_counter()
    for seed in [int(s) for s in args.split_seeds.split(",")]:
        pareto_dir, single_dir = args.out / "pareto" / f"split-{seed}", args.out / "single" / f"split-{seed}"
        pareto = run_experiment(config("pareto", args.budget, seed), pareto_dir, progress=Progress())
        single = run_experiment(
            config("single", args.budget / len(objectives), seed), single_dir, progress=Progress()
        )
        for target, ours in pareto.trials.groupby("target_class", sort=False):
            theirs = single.trials[single.trials["target_class"] == target]
            first = theirs[theirs["objective"] == objectives[0]]
            row = {"split": seed, "class": target}
            row.update(
                {f"pareto_{k}": v for k, v in side_metrics(ours, objectives, target, pareto_dir).items()}
            )
            row.update(
                {f"union_{k}": v for k, v in side_metrics(theirs, objectives, target, single_dir).items()}
            )
            recommended = recommended_point(
                front_rows(ours, objectives, target),
                objectives,
                target,
                m0_point(pareto_dir, objectives, target, "val"),
            )
            pareto_pick = pick_deltas(recommended, objectives, target, pareto_dir)
            single_pick = pick_deltas(best_trial(first), objectives, target, single_dir)
            for name, a, b in zip(objectives, pareto_pick, single_pick):
                row[f"pareto_pick_d{name}_test"], row[f"single_{objectives[0]}_d{name}_test"] = a, b
            rows.append(row)
        ray.shutdown()
    wall = time.perf_counter() - start
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "pareto_vs_single.csv", index=False)

    lines = [
        f"{args.dataset}, classes {args.classes}, objectives {args.objectives}, model {args.model}, "
        f"{args.budget:g} retrain-s per class on each side, split seeds {args.split_seeds}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {wall:.0f} s wall-clock",
        "",
        "| class | side | trials | front | HV val [95%] | HV test [95%] | "
        + " | ".join(f"d{n.upper()} test of its pick" for n in objectives)
        + " |",
        "| --- | --- | ---: | ---: | ---: | ---: |" + " ---: |" * len(objectives),
    ]
    for target, group in table.groupby("class", sort=False):
        for side, pick in (("pareto", "pareto_pick"), ("union", f"single_{objectives[0]}")):
            picks = " | ".join(interval(group[f"{pick}_d{n}_test"].tolist(), PP) for n in objectives)
            volume = PP ** len(objectives)
            lines.append(
                f"| {target} | {side} | {group[f'{side}_trials'].mean():.0f} | {group[f'{side}_front'].mean():.1f} | "
                f"{interval(group[f'{side}_hv_val'].tolist(), volume)} | "
                f"{interval(group[f'{side}_hv_test'].tolist(), volume)} | "
                f"{picks} |"
            )
    wins = {
        split: int((table[f"pareto_hv_{split}"] > table[f"union_hv_{split}"]).sum())
        for split in ("val", "test")
    }
    lines += [
        "",
        f"Pareto hypervolume above the union's: {wins['val']}/{len(table)} (class, split) pairs on "
        f"validation, {wins['test']}/{len(table)} on test.",
    ]
    text = "\n".join(lines)
    print(text)
    (args.out / "table.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
