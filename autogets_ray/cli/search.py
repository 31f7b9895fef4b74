"""``autogets search``: run AutoGeTS searches on Ray Tune and print the improvement table."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.experiment.config import SearchConfig, check_output_config, load_config, read_saved_config
from autogets_ray.metric_names import delta_column
from autogets_ray.progress import Progress
from autogets_ray.reporting.tables import format_table

SUMMARY_COLUMNS = {
    "target_class": "class",
    "strategy": "strategy",
    "objective": "objective",
    "trials": "trials",
    "m0_cba": "M0 CBA %",
    delta_column("oba", "val"): "dOBA val",
    delta_column("cba", "val"): "dCBA val",
    delta_column("oba", "test"): "dOBA test",
    delta_column("cba", "test"): "dCBA test",
    "best_subset_size": "subset",
    "recommendation": "recommendation",
}
BASELINE_COLUMNS = {
    "target_class": "class",
    "objective": "objective",
    "baseline": "baseline",
    "n_added": "rows added",
    "val_objective": "val",
    "val_objective_se": "val se",
    "test_objective": "test",
}
_CBA, _OBA = delta_column("cba", "test"), delta_column("oba", "test")
SPLIT_COLUMNS = {
    "target_class": "class",
    "objective": "objective",
    "method": "method",
    "splits": "splits",
    f"{_CBA}_mean": "dCBA test",
    f"{_CBA}_low": "95% low",
    f"{_CBA}_high": "95% high",
    f"{_OBA}_mean": "dOBA test",
    f"{_OBA}_low": "95% low ",
    f"{_OBA}_high": "95% high ",
}


def improvement_table(summary: pd.DataFrame, pareto: bool = False) -> str:
    """The paper's Table 2 analog: M0 CBA and the best trial's changes (a Pareto search's recommended
    point), on val (searched) and test, with each search's recommendation (its candidate only when
    it beats M0 and the baselines)."""
    frame = summary[[c for c in SUMMARY_COLUMNS if c in summary]].rename(columns=SUMMARY_COLUMNS)
    frame = in_points(frame.astype({"trials": int, "subset": int}), ["M0 CBA %"], signed=False)
    frame = in_points(frame, [c for c in frame.columns if c.startswith(("dOBA", "dCBA"))])
    pick = "recommended point of each front" if pareto else "best validation trial of each search"
    return format_table(
        frame, float_digits=4, title=f"Improvement over M0 ({pick}; test never used to select)"
    )


PARETO_COLUMNS = {
    "target_class": "class",
    "objectives": "objectives",
    "trials": "trials",
    "front_size": "front",
    "hypervolume_val": "HV val",
    "hypervolume_test": "HV test",
    "recommended_candidate": "recommended point",
}


def pareto_table(pareto: pd.DataFrame) -> str:
    """Per Pareto search: its front's size and hypervolume over M0's point on val and test."""
    frame = pareto[list(PARETO_COLUMNS)].rename(columns=PARETO_COLUMNS)
    frame["recommended point"] = frame["recommended point"].replace("", "none keeps the others >= M0")
    return format_table(
        frame, float_digits=5, title="Pareto fronts (chosen on validation; hypervolume over M0's point)"
    )


def baselines_table(baselines: pd.DataFrame) -> str:
    """The no-search baselines' objective on validation (with its standard error) and test."""
    frame = baselines[list(BASELINE_COLUMNS)].rename(columns=BASELINE_COLUMNS).astype({"rows added": int})
    return format_table(frame, float_digits=4, title="No-search baselines (one fit each per fold)")


def in_points(frame: pd.DataFrame, columns: list[str], signed: bool = True) -> pd.DataFrame:
    """``columns`` (fractions) as percentage points with two decimals (a sign with ``signed``)."""
    sign = "+" if signed else ""
    return frame.assign(**{c: frame[c].map(lambda v: f"{100 * float(v):{sign}.2f}") for c in columns})


def splits_table(table: pd.DataFrame) -> str:
    """Each method's mean test change over the splits, with its 95% interval (percentage points)."""
    frame = table[list(SPLIT_COLUMNS)].rename(columns=SPLIT_COLUMNS)
    frame = in_points(frame, [c for c in frame.columns if c.startswith(("dOBA", "dCBA", "95%"))])
    return format_table(
        frame, float_digits=4, title="Test change over M0 across splits (mean, 95% t-interval)"
    )


def command_config(
    config_path: str | None,
    overrides: tuple[str, ...],
    out: str,
    resume: bool,
    defaults: tuple[str, ...] = (),
    split_seeds: str | None = None,
) -> SearchConfig:
    """The experiment's config, validated: ``--resume`` alone reuses ``out``'s saved one; otherwise the
    file (or ``defaults``, overrides applied on top, when there is no file) and ``--set`` overrides.
    Reads only: a wrong value is a UserInputError before anything is written to ``out``."""
    if split_seeds is not None:
        overrides = (*overrides, f"split_seeds=[{split_seeds}]")
    if resume and config_path is None and not overrides:
        return read_saved_config(out)
    return load_config(config_path, overrides if config_path else (*defaults, *overrides))


def accept_run(config: SearchConfig, out: str, resume: bool, progress: Progress | None = None) -> None:
    """Refuse a run before it writes to ``out``: ``out`` (or one of its ``split-<seed>/``) holds another
    experiment, or the Ray cluster cannot grant a trial's resources (``progress``: Ray's start line)."""
    import ray

    from autogets_ray.experiment.runner import split_dir
    from autogets_ray.ray_session import ensure_ray, joined_cluster

    check_output_config(config, out, resume)
    for seed in config.split_seeds or ():
        check_output_config(config.for_split(seed), split_dir(out, seed), resume)
    ensure_ray(progress=progress)
    config.resources.check_grantable(
        ray.cluster_resources(), "resources (config)", strict=not joined_cluster()
    )


#: What the default backend is, said at the end of a run so nobody mistakes it for an LLM.
NGRAM_NOTE = "an offline word-trigram model of each class's own texts, not a language model"

#: The improvement table's columns, in one line.
COLUMNS_LEGEND = (
    "columns: dOBA/dCBA = change over M0 of overall/class balanced accuracy in percentage points, "
    "on validation (val, searched) and test (reported only); subset = examples handed to the LLM"
)


def backend_line(config: SearchConfig) -> str:
    """Which backend made the synthetic samples (for ``ngram``: what it is)."""
    backend = str(config.llm.get("backend", "ngram"))
    note = f": {NGRAM_NOTE}" if backend == "ngram" else ""
    return f"synthetic samples made by the {backend} backend (llm.backend){note}"


def closing_lines(config: SearchConfig, out: str, next_steps: bool = True) -> list[str]:
    """The lines after the tables: the backend, the columns' legend and the next commands."""
    lines = ["", backend_line(config), COLUMNS_LEGEND]
    if next_steps:
        model_source = f"{Path(out) / 'split-<seed>'}" if config.split_seeds else f"{Path(out)}"
        lines += [
            "next:",
            f"  autogets report {Path(out)}    (the paper-style report: tables and figures)",
            f"  autogets export {model_source} --out MODEL_DIR    (the recommended model, for autogets predict)",
        ]
    return lines


def verbose_flag() -> bool:
    """Whether ``autogets -v`` (the group's ``--verbose``) was given: per-trial lines and Ray's notices."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("verbose"))


def run_search_command(
    config: SearchConfig, out: str, resume: bool, quiet: bool, next_steps: bool = True
) -> list[Path]:
    """Run the experiment (once per split seed when there are several), print its tables and what to
    do next (``next_steps``: the report and export commands); the result directories."""
    from autogets_ray.experiment.runner import run_experiment, run_split_experiments

    progress = Progress(enabled=not quiet, verbose=verbose_flag())
    accept_run(config, out, resume, progress)
    if config.split_seeds:
        splits = run_split_experiments(config, out, resume=resume, progress=progress)
        for seed, result in splits.runs.items():
            click.echo(f"\nsplit seed {seed}:")
            click.echo(improvement_table(result.summary))
        click.echo("\n" + splits_table(splits.table))
        click.echo(
            f"\nresults in {Path(out)}: split-<seed>/ for each split, "
            + ", ".join(p.name for p in splits.files.values())
        )
        click.echo("\n".join(closing_lines(config, out, next_steps)))
        return [r.out for r in splits.runs.values()]
    result = run_experiment(config, out, resume=resume, progress=progress)
    if result.baselines is not None and not result.baselines.empty:
        click.echo(baselines_table(result.baselines) + "\n")
    if result.pareto is not None:
        click.echo(pareto_table(result.pareto) + "\n")
    click.echo(improvement_table(result.summary, pareto=result.pareto is not None))
    click.echo(f"\nresults in {Path(out)}: " + ", ".join(p.name for p in result.files.values()))
    click.echo("\n".join(closing_lines(config, out, next_steps)))
    return [result.out]


SPLIT_SEEDS_HELP = (
    "run the experiment on each of these split seeds, comma-separated (e.g. 0,1,2), and report "
    "every method's test change with a 95% interval"
)


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="experiment YAML (see search_spaces/); defaults are the quickstart's",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="override a config value, repeatable (e.g. --set model.name=catboost --set budget_seconds=600)",
)
@click.option("--out", type=click.Path(file_okay=False), default="results/search", show_default=True)
@click.option("--resume", is_flag=True, help="continue an interrupted experiment in --out")
@click.option("--split-seeds", default=None, metavar="S,S,...", help=SPLIT_SEEDS_HELP)
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def search(
    config_path: str | None,
    overrides: tuple[str, ...],
    out: str,
    resume: bool,
    split_seeds: str | None,
    quiet: bool,
) -> None:
    """Search which examples to hand the LLM, per class, strategy and objective (Ray Tune), next to the
    no-search baselines, and recommend what to deploy."""
    run_search_command(
        command_config(config_path, overrides, out, resume, split_seeds=split_seeds), out, resume, quiet
    )
