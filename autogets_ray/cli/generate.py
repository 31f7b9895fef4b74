"""``autogets generate``: pre-generate (and cache) the synthetic pool of one class.

This is the paper's ``data_syn`` pool: 5 samples for each TRAINING example of the class, cached per
example, so every later search candidate that touches an example is served from the cache.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from autogets_ray.cli.options import dataset_options, parse_key_values
from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split
from autogets_ray.errors import UserInputError

#: CLI option -> GenerationConfig field; given options override the YAML config.
_DIRECT = {
    "backend": "backend",
    "model": "model",
    "base_url": "base_url",
    "api_key_env": "api_key_env",
    "samples": "samples_per_example",
    "seed": "seed",
    "cache_dir": "cache_dir",
}


def load_config_file(path: str | None) -> dict[str, Any]:
    """A YAML mapping of generation options (top level, or under a ``generation:`` key)."""
    if not path:
        return {}
    source = Path(path)
    try:
        values = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserInputError(f"cannot read the generation config {source}: {exc}") from None
    if not isinstance(values, dict):
        raise UserInputError(f"{source} must hold a mapping of generation options")
    nested = values.get("generation")
    return dict(nested) if isinstance(nested, dict) else values


def generation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Backend and generation options; the command receives ``generation_config``."""
    from autogets_ray.llm import BACKENDS, GenerationConfig

    options = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS.names()),
            default=None,
            help="LLM backend [default: ngram, or the config file's]",
        ),
        click.option("--model", default=None, help="model name (openai) or .gguf path (local-lm)"),
        click.option(
            "--base-url", default=None, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1"
        ),
        click.option(
            "--api-key-env",
            default=None,
            metavar="NAME",
            help="NAME of the environment variable holding the API key "
            "[default: OPENAI_API_KEY]; the key itself is never an option",
        ),
        click.option(
            "--samples", type=int, default=None, help="samples per example [default: 5, the paper's]"
        ),
        click.option("--seed", type=int, default=None, help="generation seed [default: 0]"),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="cache directory [default: $AUTOGETS_CACHE_DIR or ~/.cache/autogets-ray]",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="YAML file of generation options (see README, LLM generation)",
        ),
        click.option(
            "--set",
            "set_values",
            multiple=True,
            metavar="KEY=VALUE",
            help="any generation option, repeatable (e.g. temperature=0.9, max_in_flight=4)",
        ),
    ]

    def wrapper(**kwargs: Any) -> Any:
        values = load_config_file(kwargs.pop("config_file"))
        for option, name in _DIRECT.items():
            given = kwargs.pop(option)
            if given is not None:
                values[name] = given
        values.update(parse_key_values(kwargs.pop("set_values"), "--set"))
        kwargs["generation_config"] = GenerationConfig.from_dict(values)
        return func(**kwargs)

    functools.update_wrapper(wrapper, func)
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def describe_quality(quality: dict[str, Any]) -> str:
    """One line of a pool's quality metrics (None shown as n/a)."""

    def show(name: str) -> str:
        value = quality.get(name)
        return "n/a" if value is None else f"{value:.3f}"

    rejected = ", ".join(f"{k} {v}" for k, v in (quality.get("rejected") or {}).items()) or "none"
    return (
        f"  quality: kept rate {show('kept_rate')}, copy rate {show('copy_rate')}, distinct-2 "
        f"{show('distinct_2')}, similarity to source {show('mean_source_similarity')}, label "
        f"fidelity {show('label_fidelity')}; rejected: {rejected}"
    )


def _progress_bar(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="example",
        desc="generating",
        disable=quiet,
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
    )


@click.command()
@dataset_options
@generation_options
@click.option("--class", "label", required=True, help="the class whose training examples to use")
@click.option("--limit", type=int, default=None, help="only the first N training examples (row order)")
@click.option("--split-seed", type=int, default=42, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON summary object on stdout")
@click.option(
    "--judge",
    default="linear",
    show_default=True,
    metavar="MODEL|none",
    help="model (fitted on the training split) whose predictions give label_fidelity",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
def generate(
    dataset_request: DatasetRequest,
    generation_config: Any,
    label: str,
    limit: int | None,
    split_seed: int,
    judge: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Fill the cache with synthetic samples for the TRAINING examples of one class.

    Ends with the pool's quality (kept rate, copy rate, rejections by reason, distinct-2,
    similarity to the source, label fidelity under the judge model).
    """
    from autogets_ray.llm import build_generator
    from autogets_ray.llm.data import class_texts, class_training_examples
    from autogets_ray.llm.fidelity import NO_JUDGE, judged_quality
    from autogets_ray.models.base import MODELS

    if judge != NO_JUDGE and judge not in MODELS:
        raise UserInputError(
            f"--judge {judge!r} is not a model; choose one of: {', '.join(MODELS.names())}, or {NO_JUDGE}"
        )

    split = paper_split(load_dataset(dataset_request), seed=split_seed, dataset=dataset_request.name_or_path)
    examples = class_training_examples(split, label, limit)
    start = time.perf_counter()
    with build_generator(generation_config, class_texts(split)) as generator:
        with _progress_bar(len(examples), quiet) as bar:
            result = generator.generate(examples, progress=bar.update)
        model = generator.backend.model_id(label)
        quality = judged_quality(
            generator.cache,
            (generator.key_for(ex) for ex in examples),
            split,
            NO_JUDGE if result.stopped else judge,
        )
    if result.stopped:  # the endpoint is down: one line, not one per example
        click.echo(f"Error: {result.stopped}", err=True)
        sys.exit(1)
    counters = result.counters
    summary = {
        "dataset": dataset_request.name_or_path,
        "class": label,
        "split_seed": split_seed,
        "backend": generation_config.backend,
        "model": model,
        "requested": len(examples),
        "distinct": len({ex.text for ex in examples}),
        "cache_hits": counters["cache_hits"],
        "backend_calls": counters["backend_calls"],
        "samples": counters["samples"],
        "failures": counters["failures"],
        "retries": counters["retries"],
        "topups": counters["topups"],
        "tokens_in": counters["tokens_in"],
        "tokens_out": counters["tokens_out"],
        "estimated_cost": counters["estimated_cost"],
        "seconds": round(time.perf_counter() - start, 3),
        "cache": str(generation_config.cache_path),
        "errors": {str(k): v for k, v in sorted(result.errors.items())},
        "quality": quality,
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{label}: {summary['requested']} training examples, {summary['cache_hits']} from "
            f"the cache, {summary['backend_calls']} generated ({generation_config.backend}), "
            f"{summary['samples']} samples in {summary['seconds']:.1f} s; cache {summary['cache']}"
        )
        if quality:
            click.echo(describe_quality(quality))
        for message in list(summary["errors"].values())[:10]:
            click.echo(f"  failed: {message}", err=True)
    if result.errors:
        sys.exit(1)
