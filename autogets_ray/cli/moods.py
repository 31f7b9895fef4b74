"""``autogets moods``: MOODS and its baselines on a tabular dataset (paper Tables 2 and 4)."""

from __future__ import annotations

import click

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.data.tabular import TABULAR_DATASETS
from autogets_ray.moods.core import ACCEPTANCE_RULES, MAJORITY_GROWTH, REJECTION_RULES
from autogets_ray.moods.mlp import DEVICES
from autogets_ray.moods.options import ENGINES, MoodsExperimentOptions, default, option_name
from autogets_ray.progress import Progress
from autogets_ray.typed import validate


def parse_methods(value: str) -> tuple[str, ...]:
    """``"moods, smote"`` -> ``("moods", "smote")``; the names are checked with the other options."""
    return tuple(m.strip() for m in value.split(",") if m.strip())


@click.command()
@click.option(
    "--dataset",
    required=True,
    help=f"a tabular dataset ({', '.join(TABULAR_DATASETS.names())}) or a CSV / TSV / Parquet path",
)
@click.option("--label-column", default="label", show_default=True, help="label column of a data file")
@click.option("--minority-label", default=None, help="minority value of the label [default: the rarer]")
@click.option(
    "--runs", type=int, default=default("runs"), show_default=True, help="seeded runs (seed, seed+1, ...)"
)
@click.option(
    "--method",
    "method",
    default=",".join(default("methods")),
    show_default=True,
    help="comma-separated methods",
)
@click.option(
    "--steps-per-round",
    type=int,
    default=default("steps_per_round"),
    show_default=True,
    help="K candidate steps evaluated concurrently from the same state (1 = the paper)",
)
@click.option(
    "--max-candidates",
    type=int,
    default=default("max_candidates"),
    show_default=True,
    help="candidate steps (trials) per MOODS run",
)
@click.option(
    "--max-accepted",
    type=int,
    default=default("max_accepted"),
    show_default=True,
    help="accepted steps (MaxIter)",
)
@click.option(
    "--patience",
    type=int,
    default=default("patience"),
    show_default=True,
    help="stop after this many rejected rounds in a row",
)
@click.option(
    "--acceptance",
    type=click.Choice(ACCEPTANCE_RULES.names()),
    default=default("acceptance"),
    show_default=True,
    help="f1-both: the paper's strict rule; f1-pareto-loss: Pareto, exact ties "
    "accepted when the validation loss drops; loss-se: the class-balanced validation loss "
    "falls by more than its standard error, neither F1 worse",
)
@click.option(
    "--rejection",
    type=click.Choice(REJECTION_RULES.names()),
    default=default("rejection"),
    show_default=True,
    help="how a rejected step changes the draw probabilities p(s)",
)
@click.option(
    "--majority-growth",
    type=click.Choice(MAJORITY_GROWTH.names()),
    default=default("majority_growth"),
    show_default=True,
    help="how M_k, the majority rows a step adds, changes: paper (+1 accepted, -1 rejected) or "
    "doubling (x2 accepted, /2 rejected)",
)
@click.option(
    "--max-updates",
    type=int,
    default=default("max_updates"),
    show_default=True,
    help="MLP optimiser steps cap per fit",
)
@click.option(
    "--max-epochs", type=int, default=default("max_epochs"), show_default=True, help="MLP epochs cap per fit"
)
@click.option(
    "--warm-start/--no-warm-start",
    default=default("warm_start"),
    show_default=True,
    help="fit each candidate step from the accepted state's weights (capped at --warm-max-updates)",
)
@click.option(
    "--warm-max-updates",
    type=int,
    default=default("warm_max_updates"),
    show_default=True,
    help="MLP optimiser steps cap per warm-started fit",
)
@click.option(
    "--validation-folds",
    type=int,
    default=default("validation_folds"),
    show_default=True,
    help="0: score candidates on a held-out validation part (the paper's); k >= 2: out of fold "
    "over every train+val row (k fits a candidate), and the kept model trains on all of them",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=default("engine"),
    show_default=True,
    help="ray: one Ray Tune trial per candidate step; local: a plain loop in this process",
)
@click.option(
    "--cpus-per-trial",
    type=float,
    default=default("cpus_per_trial"),
    show_default=True,
    help="Ray CPUs per candidate step (also the MLP's torch threads)",
)
@click.option(
    "--gpus-per-trial",
    type=float,
    default=default("gpus_per_trial"),
    show_default=True,
    help="share of a GPU per candidate step (e.g. 0.25: four steps per GPU); the MLP then trains on CUDA",
)
@click.option(
    "--device",
    type=click.Choice(DEVICES),
    default=default("device"),
    show_default=True,
    help="where fits outside Ray trials train (baselines, --engine local); auto = CUDA when torch sees a GPU",
)
@click.option("--seed", type=int, default=default("seed"), show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="output directory; rerunning with the same one resumes",
)
@click.option("--no-plot", is_flag=True, help="skip the z histograms")
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def moods(
    dataset: str,
    label_column: str,
    minority_label: str | None,
    runs: int,
    method: str,
    steps_per_round: int,
    max_candidates: int,
    max_accepted: int,
    patience: int,
    acceptance: str,
    rejection: str,
    majority_growth: str,
    max_updates: int,
    max_epochs: int,
    warm_start: bool,
    warm_max_updates: int,
    validation_folds: int,
    engine: str,
    cpus_per_trial: float,
    gpus_per_trial: float,
    device: str,
    seed: int,
    out: str,
    no_plot: bool,
    quiet: bool,
) -> None:
    """MOODS (bilevel resampling with SVM-SMOTE) vs none / SMOTE / SVM-SMOTE / MUBO, same MLP and splits.

    Writes OUT/results.csv (method, run, f1, f1_minority, f1_majority, seconds, ...),
    OUT/eps_delta.csv (the ε/δ metric of each MOODS run), OUT/moods_history.csv and z histograms.
    With --engine ray every MOODS and MUBO run is a search on one Ray Tune experiment, each candidate
    step a trial; rerunning with the same --out resumes (finished runs and steps are kept).
    """
    from autogets_ray.data.tabular import load_tabular
    from autogets_ray.moods.experiment import run_moods_experiment, summarise

    options = validate(
        MoodsExperimentOptions,
        dict(
            methods=parse_methods(method),
            runs=runs,
            seed=seed,
            engine=engine,
            plot=not no_plot,
            steps_per_round=steps_per_round,
            max_accepted=max_accepted,
            max_candidates=max_candidates,
            patience=patience,
            acceptance=acceptance,
            rejection=rejection,
            majority_growth=majority_growth,
            max_updates=max_updates,
            max_epochs=max_epochs,
            warm_start=warm_start,
            warm_max_updates=warm_max_updates,
            validation_folds=validation_folds,
            cpus_per_trial=cpus_per_trial,
            gpus_per_trial=gpus_per_trial,
            device=device,
        ),
        label=_option,
    )
    spec = options.spec()
    progress = Progress(enabled=not quiet, prefix="moods")
    data = load_tabular(dataset, label_column=label_column, minority_label=minority_label)
    progress.info(data.describe())
    results, eps = run_moods_experiment(data, out, spec, progress=progress)
    trained_on = (
        f"every method trained on train+val, validated {validation_folds}-fold out of fold"
        if validation_folds
        else "every method trained on the training part, validated on the held-out validation part"
    )
    click.echo(f"Test F1 on {data.name}, {runs} run(s) (mean, sd); {trained_on}:")
    click.echo(summarise(results).round(3).to_string())
    if not eps.empty:
        click.echo("\nε/δ (MOODS vs no resampling), mean over runs:")
        click.echo(
            eps[["ratio_minority", "delta_kappa_m", "delta_O_m", "delta_O_M", "delta_O"]]
            .mean()
            .round(3)
            .to_string()
        )
    click.echo(f"\nresults in {out}: results.csv, eps_delta.csv, moods_history.csv")


def _option(key: str) -> str:
    """The command-line option of an options field (``methods`` is ``--method``)."""
    return "--method" if key.split("[")[0] == "methods" else option_name(key)
