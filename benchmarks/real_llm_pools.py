"""Real-LLM pools: every training example of the smallest classes, generated with ``local-lm``.

    python benchmarks/real_llm_pools.py --data-dir ../shared/data --classes 4 \
        --cache-dir ~/.cache/autogets-ray/pools --export benchmarks/pools/it-tickets-tail-smollm2.parquet

For each of the ``--classes`` smallest classes of ``it-tickets-tail`` (paper split, ``--split-seed``
42 by default; other seeds add the examples that are training rows there):
5 samples for every training example with ``local-lm`` (SmolLM2-135M through llama.cpp, the
``list`` template), the same with ``ngram``; both judged by M0 (``linear`` on the training split);
the pools exported with the cache's export (one Parquet file, the ``autogets cache import`` format,
which later benchmarks import instead of regenerating); and the quality metrics of both backends
side by side (JSON and a Markdown table on stdout).

Resumable: every finished example is in the cache, so a killed run continues where it stopped;
several processes on one cache share the work (each example is leased to one of them).
``--cached-only`` reports what the cache holds without generating.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split
from autogets_ray.llm import GenerationConfig, build_generator
from autogets_ray.llm.data import class_texts, class_training_examples
from autogets_ray.llm.fidelity import judged_quality

METRICS = ("kept_rate", "copy_rate", "distinct_2", "mean_source_similarity", "label_fidelity")


def generate_pool(
    config: GenerationConfig, split, label: str, texts, cached_only: bool = False
) -> dict[str, object]:
    """Generate (or read from the cache) one class's pool, judge it, return its quality.

    ``cached_only``: no generation, the quality of the examples the cache already holds.
    """
    examples = class_training_examples(split, label)
    start = time.perf_counter()
    with build_generator(config, texts) as generator:
        if cached_only:
            keys = [generator.key_for(ex) for ex in examples]
            held = [r.example_key for r in generator.cache.records(keys)]
            return {
                "class": label,
                "backend": config.backend,
                "examples": len(examples),
                "generated": len(held),
                "seconds": None,
                "quality": judged_quality(generator.cache, held, split),
            }
        done = [0]

        def progress(k: int) -> None:
            done[0] += k
            if done[0] % 25 < k or done[0] == len(examples):
                print(
                    f"  {config.backend} {label}: {done[0]}/{len(examples)} "
                    f"({time.perf_counter() - start:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )

        result = generator.generate(examples, progress=progress)
        keys = list(dict.fromkeys(generator.key_for(ex) for ex in examples))
        quality = judged_quality(generator.cache, keys, split)
    return {
        "class": label,
        "backend": config.backend,
        "examples": len(examples),
        "generated": len(keys),
        "backend_calls": result.counters["backend_calls"],
        "failures": len(result.errors),
        "seconds": round(time.perf_counter() - start, 1),
        "quality": quality,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--classes", type=int, default=4, help="the N smallest classes")
    parser.add_argument("--cache-dir", required=True)
    parser.add_argument("--export", default="", help="Parquet file for the local-lm pools")
    parser.add_argument("--template", default="list")
    parser.add_argument("--model", default="", help="a .gguf path (default: the shipped SmolLM2)")
    parser.add_argument("--json-out", default="")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="generate nothing: report the quality of what the cache holds",
    )
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--backends", default="local-lm,ngram")
    args = parser.parse_args()

    split = paper_split(
        load_dataset(DatasetRequest("it-tickets-tail", data_dir=args.data_dir)),
        seed=args.split_seed,
        dataset="it-tickets-tail",
    )
    labels = list(split.class_sizes().index[::-1][: args.classes])
    texts = class_texts(split)
    rows = []
    for backend in args.backends.split(","):
        config = GenerationConfig(
            backend=backend,
            cache_dir=args.cache_dir,
            model=args.model,
            template=args.template if backend == "local-lm" else "",
        )
        for label in labels:
            rows.append(generate_pool(config, split, label, texts, args.cached_only))
    if args.export:
        from autogets_ray.llm.cache import GenerationCache

        with GenerationCache(GenerationConfig(cache_dir=args.cache_dir).cache_path) as cache:
            written = cache.export(args.export, backend="local-lm")
        print(f"exported {written} local-lm samples to {args.export}", file=sys.stderr)
    print("| class | examples generated | backend | " + " | ".join(METRICS) + " | seconds |")
    print("|---" * (len(METRICS) + 4) + "|")
    for row in rows:
        quality = row["quality"] or {}
        cells = ["n/a" if quality.get(m) is None else f"{quality[m]:.3f}" for m in METRICS]
        print(
            f"| {row['class']} | {row['generated']} of {row['examples']} | {row['backend']} | "
            + " | ".join(cells)
            + f" | {row['seconds']} |"
        )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
