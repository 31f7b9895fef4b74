"""M0 benchmark: featurisation and fit seconds, peak memory and Table-1 metrics per dataset x model.

Each configuration runs in its own subprocess so its peak resident memory (ru_maxrss) is its own.

    python benchmarks/baseline.py --data-dir ../shared/data            # the default matrix
    python benchmarks/baseline.py --data-dir ../shared/data --only it-tickets-tail:catboost:features=text,iterations=100

Prints a Markdown table (paste into benchmarks/RESULTS.md) and writes JSON lines with --json-out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import yaml

DEFAULT_MATRIX = [
    "it-tickets:linear:",
    "it-tickets-tail:linear:",
    "it-tickets:catboost:",
    "it-tickets-tail:catboost:",
    # CatBoost feature alternatives on the tail (docs/design.md#catboost-cost): accuracy vs seconds.
    "it-tickets-tail:catboost:svd_components=256",
    "it-tickets-tail:catboost:features=text,iterations=100",
]


def parse_spec(spec: str) -> tuple[str, str, dict]:
    dataset, model, options = (spec.split(":", 2) + ["", ""])[:3]
    parsed = {}
    for pair in filter(None, options.split(",")):
        key, _, value = pair.partition("=")
        parsed[key] = yaml.safe_load(value)
    return dataset, model, parsed


def run_one(dataset: str, model: str, options: dict, data_dir: str) -> dict:
    """Runs inside the child process: the real baseline job, timed by its own progress steps."""
    import tempfile

    from autogets_ray.baseline import run_baseline
    from autogets_ray.data.datasets import DatasetRequest
    from autogets_ray.progress import Progress

    with tempfile.TemporaryDirectory() as out:
        result = run_baseline(
            DatasetRequest(dataset, data_dir=data_dir),
            model,
            out,
            options,
            plot=False,
            progress=Progress(enabled=False),
        )
    overall = result.table.iloc[-1]
    small = result.table.iloc[-2]
    return {
        "dataset": dataset,
        "model": model,
        "options": options,
        "train_rows": len(result.split.train),
        "featurise_s": round(result.timings["featurise_seconds"], 2),
        "fit_s": round(result.timings["fit_seconds"], 2),
        "accuracy": round(float(overall["recall"]), 4),
        "oba": round(float(overall["balanced_accuracy"]), 4),
        "of1": round(float(overall["f1"]), 4),
        "smallest_class": str(small["class"]),
        "smallest_recall": round(float(small["recall"]), 4),
        "smallest_cba": round(float(small["balanced_accuracy"]), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=os.environ.get("AUTOGETS_DATA_DIR", "../shared/data"))
    parser.add_argument("--only", action="append", help="DATASET:MODEL:k=v,k=v (repeatable)")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*parse_spec(args.child), args.data_dir)))
        return

    rows = []
    for spec in args.only or DEFAULT_MATRIX:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--data-dir", args.data_dir, "--child", spec],
            stdout=subprocess.PIPE,
            text=True,
        )
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            print(f"{spec}: failed (status {status})", file=sys.stderr)
            continue
        row = json.loads(stdout.strip().splitlines()[-1])
        row["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 0)
        row["wall_s"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print(f"done {spec}: {row}", file=sys.stderr, flush=True)
        if args.json_out:
            with args.json_out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print(
        "| dataset | model | options | train rows | featurise s | fit s | peak RSS MB | accuracy | OBA | OF1 | smallest class recall / CBA |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        opts = ", ".join(f"{k}={v}" for k, v in r["options"].items()) or "defaults"
        print(
            f"| {r['dataset']} | {r['model']} | {opts} | {r['train_rows']} | {r['featurise_s']} | "
            f"{r['fit_s']} | {r['peak_rss_mb']:.0f} | {r['accuracy']:.3f} | {r['oba']:.3f} | {r['of1']:.3f} | "
            f"{r['smallest_class']}: {r['smallest_recall']:.3f} / {r['smallest_cba']:.3f} |"
        )


if __name__ == "__main__":
    main()
