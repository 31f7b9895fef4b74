"""Search overhead: how much of a trial's time is retraining, with Ray Tune vs a plain loop.

The same candidates (a seeded ``random`` core over one class) are evaluated three ways:
  1. a plain Python loop without Ray (LLM generator + retrain in-process),
  2. the real Ray Tune search at 1 concurrent trial,
  3. the real Ray Tune search at 2 concurrent trials.
LLM samples are generated once beforehand (the cache serves them), so every run pays the same
generation cost (a cache lookup). Reported: retrain share of trial wall time, and of the search's
wall time x concurrency.

    python benchmarks/search_overhead.py --dataset it-tickets-tail --class "Administrative rights" --trials 30
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="demo-tickets")
    parser.add_argument("--class", dest="target", default=None, help="default: the smallest class")
    parser.add_argument("--model", default="linear")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import ray

    from autogets_ray.data.datasets import DatasetRequest, load_dataset
    from autogets_ray.data.splits import paper_split
    from autogets_ray.experiment.config import load_config
    from autogets_ray.experiment.context import build_context
    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.llm import Example, GenerationConfig, build_generator
    from autogets_ray.progress import Progress
    from autogets_ray.search import STRATEGIES, SearchProblem

    cache = tempfile.mkdtemp(prefix="autogets-bench-cache-")
    os.environ["AUTOGETS_CACHE_DIR"] = cache
    split = paper_split(
        load_dataset(DatasetRequest(args.dataset, data_dir=os.environ.get("AUTOGETS_DATA_DIR")))
    )
    target = args.target or str(split.class_sizes().index[-1])
    context = build_context(split, args.model)
    rows = context.class_rows(target)
    problem = SearchProblem(
        target,
        context.train_row_ids[rows],
        context.coords_train[rows],
        context.coords_train,
        context.class_sizes(),
        budget_seconds=float("inf"),
        max_candidates=args.trials,
    )
    llm = GenerationConfig.from_dict({"backend": "ngram"})
    generator = build_generator(llm, context.class_texts())
    # Warm the cache for every example of the class: all runs then read samples from it.
    generator.generate([Example(int(i), context.text_of(int(i)), target) for i in problem.example_ids])

    # 1. plain loop, same candidates (the random core is deterministic given its seed and results)
    from autogets_ray.search.core import FINISHED, TrialOutcome

    core = STRATEGIES.create("random", problem, seed=args.seed)
    retrain_total, trial_total = 0.0, 0.0
    loop_start = time.perf_counter()
    while (candidate := core.ask()) is not FINISHED:
        t0 = time.perf_counter()
        samples = generator.generate(
            [Example(i, context.text_of(i), target) for i in candidate.example_ids]
        ).samples
        result = context.retrain(samples["text"].tolist(), [target] * len(samples))
        trial_total += time.perf_counter() - t0
        retrain_total += result.retrain_seconds
        core.tell(
            candidate.candidate_id, TrialOutcome(result.val.objective("cba", target), result.retrain_seconds)
        )
    loop_wall = time.perf_counter() - loop_start
    rows_out = [("plain loop (no Ray)", 1, core.n_issued, retrain_total, trial_total, loop_wall)]

    # 2-3. the real search, 1 and 2 concurrent trials
    for concurrency in (1, 2):
        config = load_config(
            overrides=[
                f"dataset.name={args.dataset}",
                f"target_classes=[{target!r}]",
                "strategies=[random]",
                "objectives=[cba]",
                f"max_candidates={args.trials}",
                f"model.name={args.model}",
                f"max_concurrent_trials={concurrency}",
                f"seed={args.seed}",
            ]
        )
        out = tempfile.mkdtemp(prefix="autogets-bench-")
        start = time.perf_counter()
        result = run_experiment(config, out, progress=Progress(enabled=False))
        wall = time.perf_counter() - start
        trials = result.trials
        trial_time = float(trials["time_total_s"].sum()) if "time_total_s" in trials else float("nan")
        rows_out.append(
            (
                f"Ray Tune, {concurrency} concurrent",
                concurrency,
                len(trials),
                float(trials["retrain_seconds"].sum()),
                trial_time,
                wall,
            )
        )
    ray.shutdown()

    print(
        f"\n{args.dataset}, class {target!r}, model {args.model}, {args.trials} candidates; "
        f"{platform.machine()}, {os.cpu_count()} CPUs\n"
    )
    print(
        "| run | concurrency | trials | retrain s | trial wall s | retrain / trial wall | search wall s (incl. setup) | retrain / (wall x concurrency) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, conc, n, retrain, trial, wall in rows_out:
        print(
            f"| {name} | {conc} | {n} | {retrain:.1f} | {trial:.1f} | {retrain / trial:.1%} | {wall:.1f} | "
            f"{retrain / (wall * conc):.1%} |"
        )


if __name__ == "__main__":
    main()
