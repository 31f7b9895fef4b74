"""Generation throughput through Ray Serve (``autogets llm-serve``'s app) with 1 and 2 replicas.

    python benchmarks/serve_throughput.py [--examples 20] [--label Security] [--replicas 1,2]

The same training examples of one demo-tickets class go through the ``openai`` backend (the
paper's chat prompt and parameters) to the llama.cpp app on a local Ray, one llama.cpp thread and
one CPU per replica, with a fresh cache each run so every example is a real request. Prints one
JSON line: examples/s per replica count and the ratio of the last to the first. On a shared
machine the ratio is bounded by the idle cores (the load average is recorded before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split
from autogets_ray.llm import GenerationConfig, build_generator
from autogets_ray.llm.data import class_training_examples
from autogets_ray.llm.llamacpp import EngineOptions
from autogets_ray.llm.serve_app import (
    ServeOptions,
    delete_app,
    deploy_llamacpp,
    shutdown_serve,
)

APP = "bench-serve"
NAME = "smollm2-135m"


def one_run(
    examples: list, replicas: int, port: int, engine: EngineOptions, max_in_flight: int
) -> dict[str, float]:
    """Deploy ``replicas`` replicas, generate for every example from a fresh cache, remove the app."""
    options = ServeOptions(replicas=replicas, cpus_per_replica=1, port=port, app_name=APP)
    start = time.perf_counter()
    base_url = deploy_llamacpp(name=NAME, engine=engine, options=options)
    deploy_s = time.perf_counter() - start
    try:
        config = GenerationConfig(
            backend="openai",
            model=NAME,
            base_url=base_url,
            api_key_env="",
            cache_dir=tempfile.mkdtemp(prefix="bench-serve-"),
            max_in_flight=max_in_flight,
            timeout_s=300.0,
        )
        load_before = os.getloadavg()[0]
        with build_generator(config) as gen:
            start = time.perf_counter()
            result = gen.generate(examples)
            seconds = time.perf_counter() - start
        counters = result.counters
        return {
            "replicas": replicas,
            "seconds": round(seconds, 2),
            "examples_per_s": round(len(examples) / seconds, 4),
            "samples": len(result.samples),
            "errors": len(result.errors),
            "backend_calls": int(counters["backend_calls"]),
            "tokens_out": int(counters["tokens_out"]),
            "tokens_out_per_s": round(counters["tokens_out"] / seconds, 1),
            "deploy_s": round(deploy_s, 1),
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
    finally:
        delete_app(APP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--label", default="Security")
    parser.add_argument("--replicas", default="1,2", help="comma-separated replica counts")
    parser.add_argument("--parallel", type=int, default=5, help="llama.cpp slots per replica")
    parser.add_argument(
        "--max-in-flight", type=int, default=8, help="requests the generator keeps in flight (measured: 8)"
    )
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()

    import ray

    split = paper_split(load_dataset(DatasetRequest("demo-tickets")), seed=42)
    examples = class_training_examples(split, args.label, limit=args.examples)
    counts = [int(n) for n in args.replicas.split(",")]
    os.environ.setdefault("RAY_worker_niceness", "0")
    ray.init(
        address="local",
        num_cpus=max(counts),
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        engine = EngineOptions(threads=1, parallel=args.parallel)
        runs = [one_run(examples, n, args.port, engine, args.max_in_flight) for n in counts]
    finally:
        shutdown_serve()
        ray.shutdown()
    first, last = runs[0], runs[-1]
    print(
        json.dumps(
            {
                "benchmark": "serve_throughput",
                "dataset": "demo-tickets",
                "label": args.label,
                "examples": len(examples),
                "cpus": os.cpu_count(),
                "threads_per_replica": 1,
                "parallel": args.parallel,
                "max_in_flight": args.max_in_flight,
                "runs": runs,
                "ratio": round(last["examples_per_s"] / first["examples_per_s"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
