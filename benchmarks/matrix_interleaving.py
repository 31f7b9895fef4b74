"""What interleaving the searches of an experiment on one Tuner buys over one Tuner per search.

The same searches (classes x strategies x objectives, each with its own seed and candidate cap) run
twice: (a) as one experiment, all searches interleaved by one searcher (what `autogets matrix` and
`autogets search` do); (b) one experiment per search, in sequence (one Tuner each). Reported: wall
clock, trials per wall-minute, and slot utilisation = time trials spent running / (wall-clock of the
trial phase x concurrent slots), from each trial's recorded start and end. HSW and GA have batch
barriers (a level or generation must finish before the next), so a lone search leaves slots idle.

    python benchmarks/matrix_interleaving.py --classes smallest:2 --strategies hsw,ga --max-candidates 8
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import time
from pathlib import Path

import pandas as pd


def busy_and_span(trials: pd.DataFrame) -> tuple[float, float]:
    """Seconds trials spent running, and the trial phase's wall-clock (first start to last end)."""
    busy = float((trials["finished_at"] - trials["started_at"]).sum())
    return busy, float(trials["finished_at"].max() - trials["started_at"].min())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="demo-tickets")
    parser.add_argument("--classes", default="smallest:2")
    parser.add_argument("--strategies", default="hsw,ga")
    parser.add_argument("--objectives", default="cba,oba")
    parser.add_argument("--max-candidates", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--ga-population", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("results/bench-interleaving"))
    args = parser.parse_args()

    import ray

    from autogets_ray.experiment.config import load_config
    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    base = [
        f"dataset.name={args.dataset}",
        f"target_classes={args.classes}",
        f"strategies=[{args.strategies}]",
        f"objectives=[{args.objectives}]",
        f"max_candidates={args.max_candidates}",
        f"max_concurrent_trials={args.concurrency}",
        f"strategy_params={{ga: {{population: {args.ga_population}, selection: {args.ga_population}}}}}",
    ]
    shutil.rmtree(args.out, ignore_errors=True)
    quiet = Progress(enabled=False)

    started = time.perf_counter()
    together = run_experiment(load_config(overrides=base), args.out / "interleaved", progress=quiet).trials
    wall_together = time.perf_counter() - started
    ray.shutdown()

    searches = together[["target_class", "strategy", "objective"]].drop_duplicates().itertuples(index=False)
    frames, started = [], time.perf_counter()
    for number, (target, strategy, objective) in enumerate(searches):
        config = load_config(
            overrides=[
                *base,
                f"target_classes=[{target}]",
                f"strategies=[{strategy}]",
                f"objectives=[{objective}]",
            ]
        )
        frames.append(run_experiment(config, args.out / f"sequential-{number}", progress=quiet).trials)
    wall_alone = time.perf_counter() - started
    ray.shutdown()
    alone = pd.concat(frames, ignore_index=True)

    same = (
        together.set_index(["search_id", "candidate_id"])["val_objective"]
        .sort_index()
        .equals(alone.set_index(["search_id", "candidate_id"])["val_objective"].sort_index())
    )
    print(
        f"{args.dataset}, classes {args.classes} x {args.strategies} x {args.objectives}, "
        f"{args.max_candidates} candidates a search, GA population {args.ga_population}, "
        f"{args.concurrency} slots; {platform.machine()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}\n"
    )
    print(
        "| run | searches | trials | trial-phase wall s | trials / wall-min | slot utilisation | total wall s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [
        ("one Tuner, interleaved", together, [busy_and_span(together)], wall_together),
        ("one Tuner per search, in sequence", alone, [busy_and_span(f) for f in frames], wall_alone),
    ]
    for name, trials, parts, wall in rows:
        busy, span = sum(p[0] for p in parts), sum(p[1] for p in parts)
        print(
            f"| {name} | {trials['search_id'].nunique()} | {len(trials)} | {span:.1f} | "
            f"{60 * len(trials) / span:.1f} | {busy / (span * args.concurrency):.0%} | {wall:.0f} |"
        )
    print(f"\nsame candidates and validation scores in both: {same}")


if __name__ == "__main__":
    main()
