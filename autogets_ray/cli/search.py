"""``autogets search``: run AutoGeTS searches on Ray Tune and print the improvement table."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from autogets_ray.experiment.config import SearchConfig, load_config
from autogets_ray.progress import Progress
from autogets_ray.reporting.tables import format_table

SUMMARY_COLUMNS = {
    "target_class": "class",
    "strategy": "strategy",
    "objective": "objective",
    "trials": "trials",
    "m0_cba": "M0 CBA",
    "delta_oba_val": "dOBA val",
    "delta_cba_val": "dCBA val",
    "delta_oba_test": "dOBA test",
    "delta_cba_test": "dCBA test",
    "best_subset_size": "subset",
}


def improvement_table(summary: pd.DataFrame) -> str:
    """The paper's Table 2 analog: M0 CBA and the best trial's changes, on val (searched) and test."""
    frame = summary[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)
    frame = frame.astype({"trials": int, "subset": int})
    return format_table(frame, float_digits=4,
                        title="Improvement over M0 (best validation trial of each search; test never used to select)")


def command_config(config_path: str | None, overrides: tuple[str, ...], out: str, resume: bool,
                   defaults: tuple[str, ...] = ()) -> SearchConfig:
    """The experiment's config: ``--resume`` alone reuses ``out``'s saved one; otherwise the file (or
    ``defaults``, overrides applied on top, when there is no file) and ``--set`` overrides."""
    if resume and config_path is None and not overrides:
        from autogets_ray.experiment.runner import saved_config

        return saved_config(out)
    return load_config(config_path, overrides if config_path else (*defaults, *overrides))


def run_search_command(config: SearchConfig, out: str, resume: bool, quiet: bool) -> None:
    from autogets_ray.experiment.runner import run_experiment

    result = run_experiment(config, out, resume=resume, progress=Progress(enabled=not quiet))
    click.echo(improvement_table(result.summary))
    click.echo(f"\nresults in {Path(out)}: " + ", ".join(p.name for p in result.files.values()))


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="experiment YAML (see search_spaces/); defaults are the quickstart's")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="override a config value, repeatable (e.g. --set model.name=catboost --set budget_seconds=600)")
@click.option("--out", type=click.Path(file_okay=False), default="results/search", show_default=True)
@click.option("--resume", is_flag=True, help="continue an interrupted experiment in --out")
@click.option("--quiet", is_flag=True, help="no progress lines")
def search(config_path: str | None, overrides: tuple[str, ...], out: str, resume: bool, quiet: bool) -> None:
    """Search which examples to hand the LLM, per class, strategy and objective (Ray Tune)."""
    run_search_command(command_config(config_path, overrides, out, resume), out, resume, quiet)
