"""``autogets matrix``: every (class x strategy x objective) search of a dataset as one Ray experiment.

The paper's fixed-time experiment (AutoGeTS §4: 15 classes x SW/HSW/GA x CR/CBA/OBA/OF1): all
searches interleaved on one Tuner, each with its own retrain-time budget, then the knowledge base
(Table 3 lookup, Fig. 6 interactions) built from the results. Without ``--config`` it runs the
paper's matrix over the quickstart's data and settings.
"""

from __future__ import annotations

from pathlib import Path

import click

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.cli.search import SPLIT_SEEDS_HELP, command_config, run_search_command

#: What "the matrix" means when a config leaves it out: the paper's classes x strategies x objectives,
#: with the random search beside them as the reference at equal budget.
MATRIX_DEFAULTS = ("target_classes=all", "strategies=[sw, hsw, ga, random]", "objectives=[cr, cba, oba, of1]")


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="experiment YAML (e.g. search_spaces/matrix-quick.yaml); without it: every class of the "
    "quickstart data x sw, hsw, ga, random x cr, cba, oba, of1",
)
@click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="override a config value, repeatable"
)
@click.option("--out", type=click.Path(file_okay=False), default="results/matrix", show_default=True)
@click.option("--resume", is_flag=True, help="continue an interrupted matrix in --out")
@click.option("--split-seeds", default=None, metavar="S,S,...", help=SPLIT_SEEDS_HELP)
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def matrix(
    config_path: str | None,
    overrides: tuple[str, ...],
    out: str,
    resume: bool,
    split_seeds: str | None,
    quiet: bool,
) -> None:
    """Run the experiment matrix on one Tuner, then build its knowledge base (then: autogets report)."""
    from autogets_ray.cli.ensemble import lookup_table
    from autogets_ray.ensemble.knowledge import KB_DIR, build_and_save_knowledge

    config = command_config(config_path, overrides, out, resume, MATRIX_DEFAULTS, split_seeds=split_seeds)
    for directory in run_search_command(config, out, resume, quiet, next_steps=False):
        knowledge = build_and_save_knowledge(directory)
        click.echo(f"\n{directory}:\n" + lookup_table(knowledge))
        click.echo(
            f"\nknowledge base in {Path(directory) / KB_DIR}; next: autogets report {directory}, "
            f"autogets ensemble {directory} --requirement r1|r2|r3"
        )
