"""CatBoost on a real GPU, alone and as fractional-GPU Ray Tune trials (numbers in RESULTS.md).

Part 1 fits the paper's CatBoost (300 iterations, SVD-128 features) on the training split of a
dataset three ways: on the whole GPU, on a quarter of its memory (``gpu_share=0.25`` ->
``gpu_ram_part``), and on every CPU core; fit seconds and test accuracy for each.
Part 2 runs a real search (``autogets search`` machinery) whose trials each ask for
``{cpu: C, gpu: G}`` and checks from trials.parquet that every trial was granted G, fitted CatBoost
on the GPU, and that trials overlapped in time (several CatBoost models on one card at once).
Writes ``--out/gpu_check.json`` and prints a summary; exits 1 when a check fails.

    python benchmarks/gpu_check.py --dataset it-tickets-tail --out results/gpu-check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from autogets_ray.metric_names import metric_column


def max_overlap(starts: list[float], ends: list[float]) -> int:
    """Most intervals [start, end) open at one instant."""
    events = sorted([(s, 1) for s in starts] + [(e, -1) for e in ends], key=lambda x: (x[0], x[1]))
    best = current = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


def fit_timings(dataset: str, out: Path, cpu_threads: int) -> list[dict[str, Any]]:
    from autogets_ray.data.datasets import DatasetRequest, load_dataset
    from autogets_ray.data.splits import load_or_create_split
    from autogets_ray.metrics import evaluate
    from autogets_ray.models import create_model

    split = load_or_create_split(
        out / "split", load_dataset(DatasetRequest(dataset)), seed=42, dataset=dataset
    )
    started = time.perf_counter()
    featurizer = create_model("catboost", device="cpu").make_featurizer()
    x_train = featurizer.fit_transform(split.train["text"].tolist())
    x_test = featurizer.transform(split.test["text"].tolist())
    featurise = time.perf_counter() - started
    y_train = split.encode_labels(split.train["label"])
    y_test = split.encode_labels(split.test["label"])
    from autogets_ray.models.catboost_model import catboost_gpu_count

    settings = [(f"cpu, {cpu_threads} threads", {"device": "cpu", "thread_count": cpu_threads})]
    if catboost_gpu_count():
        settings = [
            ("gpu, whole card", {"device": "gpu"}),
            ("gpu, gpu_share 0.25", {"device": "gpu", "gpu_share": 0.25}),
        ] + settings
    rows = []
    for name, options in settings:
        model = create_model("catboost", **options)
        started = time.perf_counter()
        model.fit(x_train, y_train)
        seconds = time.perf_counter() - started
        accuracy = evaluate(y_test, model.predict(x_test), split.classes).accuracy
        rows.append(
            {
                "setting": name,
                "device": model.fit_device(),
                "fit_seconds": round(seconds, 2),
                "test_accuracy": round(accuracy, 4),
                "featurise_seconds": round(featurise, 2),
                "train_rows": len(y_train),
            }
        )
        print(f"  {name}: fit {seconds:.1f} s, test accuracy {accuracy:.4f}", flush=True)
    return rows


def fractional_search(
    dataset: str, out: Path, cpu: float, gpu: float, concurrency: int, budget: float, max_candidates: int
) -> dict[str, Any]:
    import pandas as pd
    import ray

    from autogets_ray.experiment.config import load_config
    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    config = load_config(
        overrides=[
            f"dataset.name={dataset}",
            "target_classes=smallest:1",
            "strategies=[hsw]",
            "objectives=[cba]",
            f"budget_seconds={budget}",
            f"max_candidates={max_candidates}",
            "model.name=catboost",
            "model.options={device: auto}",
            "llm.backend=ngram",
            f"resources={{cpu: {cpu}, gpu: {gpu}}}",
            f"max_concurrent_trials={concurrency}",
        ]
    )
    started = time.perf_counter()
    run_experiment(config, out / "search", progress=Progress())
    wall = time.perf_counter() - started
    ray.shutdown()
    trials = pd.read_parquet(out / "search" / "trials.parquet")
    starts, ends = trials["started_at"].astype(float).tolist(), trials["finished_at"].astype(float).tolist()
    return {
        "trials": len(trials),
        "wall_seconds": round(wall, 1),
        "model_device": sorted(trials["model_device"].astype(str).unique().tolist()),
        "trial_gpu": sorted(trials["trial_gpu"].astype(float).unique().tolist()),
        "trial_cpu": sorted(trials["trial_cpu"].astype(float).unique().tolist()),
        "gpu_ids": sorted(trials["gpu_ids"].astype(str).unique().tolist()),
        "max_concurrent_trials_seen": max_overlap(starts, ends),
        "retrain_seconds_mean": round(float(trials["retrain_seconds"].mean()), 2),
        "sum_retrain_seconds": round(float(trials["retrain_seconds"].sum()), 1),
        "trials_per_wall_hour": round(3600 * len(trials) / wall, 1),
        "best_val_cba_delta": round(
            float(trials["val_objective"].max())
            - float(
                json.loads((out / "search" / "m0.json").read_text())["val"][
                    metric_column("cba", trials["target_class"].iloc[0])
                ]
            ),
            4,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="it-tickets-tail")
    parser.add_argument("--out", type=Path, default=Path("results/gpu-check"))
    parser.add_argument("--cpu", type=float, default=2.0, help="CPUs per trial")
    parser.add_argument("--gpu", type=float, default=0.25, help="GPU share per trial")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--budget", type=float, default=120.0, help="retrain seconds of the search")
    parser.add_argument("--max-candidates", type=int, default=16)
    parser.add_argument("--skip-fits", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from autogets_ray.models.catboost_model import catboost_gpu_count

    report: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "catboost_gpus": catboost_gpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(f"CatBoost sees {report['catboost_gpus']} GPU(s)", flush=True)
    if not args.skip_fits:
        print("part 1: one CatBoost fit per setting", flush=True)
        report["fits"] = fit_timings(args.dataset, args.out, os.cpu_count() or 1)
    print(
        f"part 2: search with {{cpu: {args.cpu}, gpu: {args.gpu}}} trials, {args.concurrency} at once",
        flush=True,
    )
    report["search"] = fractional_search(
        args.dataset, args.out, args.cpu, args.gpu, args.concurrency, args.budget, args.max_candidates
    )
    search = report["search"]
    checks = {
        "every trial fitted on the GPU": search["model_device"] == ["gpu"],
        "every trial granted the GPU share": search["trial_gpu"] == [args.gpu],
        "trials shared the GPU concurrently": search["max_concurrent_trials_seen"] > 1,
    }
    report["checks"] = checks
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2), flush=True)
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
