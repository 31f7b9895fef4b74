"""``autogets moods``: MOODS and its baselines on a tabular dataset (paper Tables 2 and 4)."""
from __future__ import annotations

import click

from autogets_ray.data.tabular import TABULAR_DATASETS, load_tabular
from autogets_ray.moods.core import ACCEPTANCE_RULES, REJECTION_RULES, MoodsSettings
from autogets_ray.moods.experiment import ENGINES, METHODS, ExperimentSpec, run_experiment, summarise
from autogets_ray.moods.mlp import DEVICES, MLPConfig
from autogets_ray.progress import Progress
from autogets_ray.resources import ResourcesConfig


def parse_methods(value: str) -> tuple[str, ...]:
    methods = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise click.BadParameter(f"unknown method(s) {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(METHODS)} (comma-separated)", param_hint="--method")
    return methods


@click.command()
@click.option("--dataset", required=True,
              help=f"a tabular dataset ({', '.join(TABULAR_DATASETS.names())}) or a CSV / TSV / Parquet path")
@click.option("--label-column", default="label", show_default=True, help="label column of a data file")
@click.option("--minority-label", default=None, help="minority value of the label [default: the rarer]")
@click.option("--runs", type=int, default=5, show_default=True, help="seeded runs (seed, seed+1, ...)")
@click.option("--method", "method", default=",".join(METHODS), show_default=True,
              help="comma-separated methods")
@click.option("--steps-per-round", type=int, default=MoodsSettings.steps_per_round, show_default=True,
              help="K candidate steps evaluated concurrently from the same state (1 = the paper)")
@click.option("--max-candidates", type=int, default=60, show_default=True,
              help="candidate steps (trials) per MOODS run")
@click.option("--max-accepted", type=int, default=40, show_default=True, help="accepted steps (MaxIter)")
@click.option("--patience", type=int, default=20, show_default=True, help="stop after this many rejected rounds in a row")
@click.option("--acceptance", type=click.Choice(ACCEPTANCE_RULES.names()), default=MoodsSettings.acceptance,
              show_default=True, help="f1-both: the paper's strict rule; f1-pareto-loss: Pareto, exact ties "
                                      "accepted when the validation loss drops")
@click.option("--rejection", type=click.Choice(REJECTION_RULES.names()), default="halve-drawn-majority",
              show_default=True, help="how a rejected step changes the draw probabilities p(s)")
@click.option("--max-updates", type=int, default=4000, show_default=True, help="MLP optimiser steps cap per fit")
@click.option("--max-epochs", type=int, default=400, show_default=True, help="MLP epochs cap per fit")
@click.option("--engine", type=click.Choice(ENGINES), default="ray", show_default=True,
              help="ray: one Ray Tune trial per candidate step; local: a plain loop in this process")
@click.option("--cpus-per-trial", type=float, default=1.0, show_default=True,
              help="Ray CPUs per candidate step (also the MLP's torch threads)")
@click.option("--gpus-per-trial", type=float, default=0.0, show_default=True,
              help="share of a GPU per candidate step (e.g. 0.25: four steps per GPU); the MLP then trains on CUDA")
@click.option("--device", type=click.Choice(DEVICES), default="cpu", show_default=True,
              help="where fits outside Ray trials train (baselines, --engine local); auto = CUDA when torch sees a GPU")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="output directory; rerunning with the same one resumes")
@click.option("--no-plot", is_flag=True, help="skip the z histograms")
@click.option("--quiet", is_flag=True, help="no progress lines")
def moods(dataset: str, label_column: str, minority_label: str | None, runs: int, method: str,
          steps_per_round: int, max_candidates: int, max_accepted: int, patience: int, acceptance: str,
          rejection: str, max_updates: int, max_epochs: int, engine: str, cpus_per_trial: float,
          gpus_per_trial: float, device: str, seed: int, out: str, no_plot: bool, quiet: bool) -> None:
    """MOODS (bilevel resampling with SVM-SMOTE) vs none / SMOTE / SVM-SMOTE / MUBO, same MLP and splits.

    Writes OUT/results.csv (method, run, f1, f1_minority, f1_majority, seconds, ...),
    OUT/eps_delta.csv (the ε/δ metric of each MOODS run), OUT/moods_history.csv and z histograms.
    With --engine ray every MOODS and MUBO run is a search on one Ray Tune experiment, each candidate
    step a trial; rerunning with the same --out resumes (finished runs and steps are kept).
    """
    spec = ExperimentSpec(
        methods=parse_methods(method), runs=runs, seed=seed, engine=engine, plot=not no_plot,
        settings=MoodsSettings(steps_per_round=steps_per_round, max_accepted=max_accepted,
                               max_candidates=max_candidates, patience=patience, acceptance=acceptance,
                               rejection=rejection),
        mlp=MLPConfig(max_updates=max_updates, max_epochs=max_epochs, threads=max(1, int(cpus_per_trial)),
                      device=device),
        resources=ResourcesConfig(cpu=cpus_per_trial, gpu=gpus_per_trial),
    )
    progress = Progress(enabled=not quiet, prefix="moods")
    data = load_tabular(dataset, label_column=label_column, minority_label=minority_label)
    progress.info(data.describe())
    results, eps = run_experiment(data, out, spec, progress=progress)
    click.echo(f"Test F1 on {data.name}, {runs} run(s) (mean, sd):")
    click.echo(summarise(results).round(3).to_string())
    if not eps.empty:
        click.echo("\nε/δ (MOODS vs no resampling), mean over runs:")
        click.echo(eps[["ratio_minority", "delta_kappa_m", "delta_O_m", "delta_O_M", "delta_O"]].mean().round(3).to_string())
    click.echo(f"\nresults in {out}: results.csv, eps_delta.csv, moods_history.csv")
