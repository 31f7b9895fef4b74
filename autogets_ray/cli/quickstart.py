"""``autogets quickstart``: the main job on embedded defaults (built-in data, local Ray, offline LLM).

The same as ``autogets search --config search_spaces/quickstart.yaml``: the quickstart values are
the configuration defaults, so no file is needed.
"""
from __future__ import annotations

import click

from autogets_ray.cli.search import run_search_command
from autogets_ray.experiment.config import load_config


@click.command()
@click.option("--out", type=click.Path(file_okay=False), default="results/quickstart", show_default=True)
@click.option("--resume", is_flag=True, help="continue an interrupted quickstart in --out")
@click.option("--quiet", is_flag=True, help="no progress lines")
def quickstart(out: str, resume: bool, quiet: bool) -> None:
    """Search demo-tickets' two smallest classes with SW, HSW, GA and random (linear model, ngram LLM)."""
    run_search_command(load_config(), out, resume, quiet)
