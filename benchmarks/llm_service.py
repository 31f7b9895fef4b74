"""Benchmarks of the LLM generation service; numbers go to benchmarks/RESULTS.md.

    python benchmarks/llm_service.py [--skip-local-lm] [--json-out FILE]

1. cached lookup of 100 examples through the shared Ray actor (goal < 50 ms);
2. throughput of the openai backend against the local server with a fixed artificial latency,
   at 1, 4 and 16 requests in flight;
3. an experiment-like load (many overlapping candidate subsets from concurrent callers): backend
   calls counted by the service and by the server, against the distinct examples requested;
4. samples per second of the ngram and local-lm backends (local-lm: load time, seconds a line).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split
from autogets_ray.llm import Example, GenerationConfig, build_generator, get_llm_service
from autogets_ray.llm.backends import create_backend
from autogets_ray.llm.data import class_texts
from autogets_ray.llm.server import Faults, LocalLLMServer


def demo_inputs() -> tuple[dict[str, list[str]], list[Example]]:
    split = paper_split(load_dataset(DatasetRequest("demo-tickets")), seed=42)
    train = split.train
    examples = [
        Example(int(r), str(t), str(lb)) for r, t, lb in zip(train["row_id"], train["text"], train["label"])
    ]
    return class_texts(split), examples


def cached_lookup(texts, examples, repeats: int = 30) -> dict[str, float]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        config = GenerationConfig(cache_dir=tempfile.mkdtemp(prefix="bench-llm-"))
        handle = get_llm_service(config, texts)
        batch = [e for e in examples if e.label == "Hardware"][:100]
        start = time.perf_counter()
        ray.get(handle.generate.remote(batch))
        fill = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = ray.get(handle.generate.remote(batch))
            times.append(time.perf_counter() - start)
        assert result.counters["cache_hits"] == 100 and result.counters["backend_calls"] == 0
        return {
            "examples": 100,
            "fill_s": round(fill, 3),
            "median_ms": round(1000 * statistics.median(times), 2),
            "p90_ms": round(1000 * float(np.percentile(times, 90)), 2),
            "min_ms": round(1000 * min(times), 2),
        }
    finally:
        ray.shutdown()


def throughput(texts, examples, latency: float = 0.5, rounds: int = 8) -> list[dict[str, float]]:
    """``rounds`` x ``in_flight`` distinct examples per setting: ideally ``rounds x latency`` seconds."""
    rows = []
    batch = iter([e for e in examples if e.label == "Access"])
    for in_flight in (1, 4, 16):
        subset = [next(batch) for _ in range(rounds * in_flight)]
        server = LocalLLMServer(create_backend(GenerationConfig(), texts), Faults(latency_s=latency))
        with server:
            config = GenerationConfig(
                backend="openai",
                model="ngram",
                base_url=server.base_url,
                api_key_env="",
                max_in_flight=in_flight,
                cache_dir=tempfile.mkdtemp(prefix="bench-llm-"),
            )
            with build_generator(config) as gen:
                start = time.perf_counter()
                result = gen.generate(subset)
                seconds = time.perf_counter() - start
        rows.append(
            {
                "in_flight": in_flight,
                "latency_s": latency,
                "examples": len(subset),
                "seconds": round(seconds, 2),
                "examples_per_s": round(len(subset) / seconds, 2),
                "samples_per_s": round(len(result.samples) / seconds, 1),
                "ideal_examples_per_s": round(in_flight / latency, 2),
                "efficiency": round(len(subset) / seconds / (in_flight / latency), 2),
                "errors": len(result.errors),
            }
        )
    return rows


def experiment_calls(texts, examples, candidates: int = 60, callers: int = 6, seed: int = 0) -> dict:
    """Overlapping candidate subsets (like GA / window trials) from concurrent callers."""
    import ray

    rng = np.random.default_rng(seed)
    pool = [e for e in examples if e.label == "Email"][:80]
    subsets = [
        [pool[i] for i in rng.choice(len(pool), size=int(rng.integers(5, 30)), replace=False)]
        for _ in range(candidates)
    ]
    distinct = len({e.text for s in subsets for e in s})
    requested = sum(len(s) for s in subsets)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    server = LocalLLMServer(create_backend(GenerationConfig(), texts), Faults(latency_s=0.05))
    try:
        with server:
            config = GenerationConfig(
                backend="openai",
                model="ngram",
                base_url=server.base_url,
                api_key_env="",
                max_in_flight=8,
                cache_dir=tempfile.mkdtemp(prefix="bench-llm-"),
            )
            handle = get_llm_service(config)
            start = time.perf_counter()
            with ThreadPoolExecutor(callers) as pool_:
                list(pool_.map(lambda s: ray.get(handle.generate.remote(s)), subsets))
            seconds = time.perf_counter() - start
            totals = ray.get(handle.counters.remote())
            server_requests = len(server.arrivals())
    finally:
        ray.shutdown()
    return {
        "candidates": candidates,
        "callers": callers,
        "examples_requested": requested,
        "distinct_examples": distinct,
        "backend_calls": totals["backend_calls"],
        "server_requests": server_requests,
        "cache_hits": totals["cache_hits"],
        "shared_in_flight": totals["shared"],
        "seconds": round(seconds, 2),
    }


def ngram_speed(texts, examples) -> dict[str, float]:
    config = GenerationConfig(cache_dir=tempfile.mkdtemp(prefix="bench-llm-"))
    with build_generator(config, texts) as gen:
        start = time.perf_counter()
        result = gen.generate(examples[:2000])
        seconds = time.perf_counter() - start
    return {
        "examples": 2000,
        "samples": len(result.samples),
        "seconds": round(seconds, 2),
        "samples_per_s": round(len(result.samples) / seconds, 1),
        "samples_per_min": round(60 * len(result.samples) / seconds),
    }


def local_lm_speed(examples, n_examples: int = 4) -> dict[str, float]:
    config = GenerationConfig(backend="local-lm", cache_dir=tempfile.mkdtemp(prefix="bench-llm-"))
    with build_generator(config) as gen:
        start = time.perf_counter()
        gen.backend.load()
        load = time.perf_counter() - start
        batch = [e for e in examples if e.label == "Hardware"][:n_examples]
        start = time.perf_counter()
        result = gen.generate(batch)
        seconds = time.perf_counter() - start
        counters = result.counters
    return {
        "load_s": round(load, 1),
        "examples": len(batch),
        "samples": len(result.samples),
        "attempts": counters["attempts"],
        "tokens_out": counters["tokens_out"],
        "seconds": round(seconds, 1),
        "s_per_attempt": round(seconds / max(counters["attempts"], 1), 2),
        "s_per_kept_sample": round(seconds / max(len(result.samples), 1), 2),
        "s_per_token": round(seconds / max(counters["tokens_out"], 1), 3),
        "samples_per_s": round(len(result.samples) / seconds, 3),
        "errors": len(result.errors),
        "example_samples": result.samples["text"].head(5).tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-local-lm", action="store_true")
    parser.add_argument(
        "--only",
        choices=["cached", "throughput", "experiment", "ngram", "local-lm"],
        default=None,
        help="run one benchmark",
    )
    parser.add_argument("--json-out", default=None)
    args = parser.parse_args()
    texts, examples = demo_inputs()
    benches = {
        "cached": ("cached_lookup_100", lambda: cached_lookup(texts, examples)),
        "throughput": ("throughput", lambda: throughput(texts, examples)),
        "experiment": ("experiment_calls", lambda: experiment_calls(texts, examples)),
        "ngram": ("ngram", lambda: ngram_speed(texts, examples)),
        "local-lm": ("local_lm", lambda: local_lm_speed(examples)),
    }
    if args.skip_local_lm:
        benches.pop("local-lm")
    results: dict[str, object] = {"load_average_before": os.getloadavg()[0]}
    for name, (key, run) in benches.items():
        if args.only in (None, name):
            results[key] = run()
            print(f"{key}:", results[key], flush=True)
    results["load_average_after"] = os.getloadavg()[0]
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
