"""``autogets cache stats|export|import``: inspect the generation cache, move it as Parquet."""

from __future__ import annotations

import json
from typing import Any

import click

_CACHE_DIR = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="cache directory [default: $AUTOGETS_CACHE_DIR or ~/.cache/autogets-ray]",
)


def _open(cache_dir: str | None) -> Any:
    from autogets_ray.llm.cache import GenerationCache
    from autogets_ray.llm.config import GenerationConfig, default_cache_dir

    return GenerationCache(GenerationConfig(cache_dir=cache_dir or default_cache_dir()).cache_path)


@click.group()
def cache() -> None:
    """The generation cache: statistics, Parquet export and import."""


@cache.command()
@_CACHE_DIR
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def stats(cache_dir: str | None, as_json: bool) -> None:
    """Examples, samples and errors held, per backend, model and class."""
    with _open(cache_dir) as store:
        summary = store.stats()
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(
        f"{summary['path']}: {summary['examples']} examples, {summary['samples']} samples, "
        f"{summary['errors']} failing examples, {summary['bytes'] / 1e6:.1f} MB"
    )
    for group in summary["groups"]:
        quality = group.get("quality") or {}
        shown = "  ".join(
            f"{name} {'n/a' if quality.get(key) is None else f'{quality[key]:.2f}'}"
            for name, key in (("kept", "kept_rate"), ("copies", "copy_rate"), ("fidelity", "label_fidelity"))
        )
        click.echo(
            f"  {group['backend']:<9} {group['model'][:40]:<40} {group['template']:<8} "
            f"{group['label'][:24]:<24} {group['examples']:>7} examples "
            f"{group['samples']:>8} samples  {shown}"
        )


@cache.command(name="export")
@_CACHE_DIR
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--class", "label", default=None, help="only this class")
@click.option("--backend", default=None, help="only this backend")
def export_(cache_dir: str | None, path: str, label: str | None, backend: str | None) -> None:
    """Write the cached generations to a Parquet file (one row per sample)."""
    with _open(cache_dir) as store:
        rows = store.export(path, label=label, backend=backend)
    click.echo(f"wrote {rows} samples to {path}")


@cache.command(name="import")
@_CACHE_DIR
@click.argument("path", type=click.Path(dir_okay=False))
def import_(cache_dir: str | None, path: str) -> None:
    """Add the generations of a Parquet export (existing records are kept)."""
    with _open(cache_dir) as store:
        counts = store.import_(path)
    click.echo(
        f"imported {counts['examples_added']} examples ({counts['examples_skipped']} already "
        f"cached) from {path}"
    )
