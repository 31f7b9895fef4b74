"""``autogets quickstart``: the main job on embedded defaults (built-in data, local Ray, offline LLM).

The same as ``autogets search --config search_spaces/quickstart.yaml``: the quickstart values are
the configuration defaults, so no file is needed.
"""

from __future__ import annotations

import click

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.cli.search import SPLIT_SEEDS_HELP, command_config, run_search_command


@click.command()
@click.option("--out", type=click.Path(file_okay=False), default="results/quickstart", show_default=True)
@click.option("--resume", is_flag=True, help="continue an interrupted quickstart in --out")
@click.option("--split-seeds", default=None, metavar="S,S,...", help=SPLIT_SEEDS_HELP)
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def quickstart(out: str, resume: bool, split_seeds: str | None, quiet: bool) -> None:
    """Search demo-tickets' two smallest classes with SW, HSW, GA and random (linear model, ngram LLM),
    next to the no-search baselines."""
    config = command_config(None, (), out, False, split_seeds=split_seeds)
    run_search_command(config, out, resume, quiet)
