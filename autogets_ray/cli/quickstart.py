"""``autogets quickstart``: the main job on embedded defaults (built-in data, local, offline).

Until the search lands this runs the M0 baseline on ``demo-tickets`` with the linear model; the
command stays the same when it becomes the quickstart search.
"""
from __future__ import annotations

import click

from autogets_ray.cli.baseline import run_and_print
from autogets_ray.data.datasets import DatasetRequest


@click.command()
@click.option("--out", type=click.Path(file_okay=False), default="results/quickstart", show_default=True)
@click.option("--quiet", is_flag=True, help="no progress lines")
def quickstart(out: str, quiet: bool) -> None:
    """Run the main job on embedded defaults: demo-tickets, linear model, local machine."""
    run_and_print(DatasetRequest("demo-tickets"), "linear", out, {}, 42, True, quiet)
