"""``autogets baseline``: train M0 and print the paper's Table 1 for a dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.cli.options import dataset_options, parse_key_values
from autogets_ray.data.datasets import DatasetRequest
from autogets_ray.models import MODELS
from autogets_ray.progress import Progress
from autogets_ray.reporting.tables import format_table

if TYPE_CHECKING:
    import pandas as pd

    from autogets_ray.baseline import BaselineResult


#: Table 1's metric columns and how the printed table names them (``val``/``test`` prefixed).
METRIC_COLUMNS = {"balanced_accuracy": "BA", "recall": "recall", "f1": "F1"}


def val_test_table(result: BaselineResult) -> pd.DataFrame:
    """Table 1 on validation and on test side by side: ``class, size, val BA, val recall, val F1,
    test BA, test recall, test F1, test support`` (the overall row: OBA, accuracy, weighted F1)."""
    from autogets_ray.reporting.tables import table1

    sizes = result.split.class_sizes()
    frame = result.table[["class", "size"]].copy()
    for split, table in (("val", table1(result.val, sizes)), ("test", result.table)):
        for column, short in METRIC_COLUMNS.items():
            frame[f"{split} {short}"] = table[column].to_numpy()
    frame["test support"] = result.table["test_support"].to_numpy()
    return frame


def run_and_print(
    request: DatasetRequest,
    model: str,
    out: str,
    model_options: dict[str, Any],
    split_seed: int,
    plot: bool,
    quiet: bool,
) -> None:
    """Train M0 on ``request`` and print Table 1."""
    from autogets_ray.baseline import run_baseline

    result = run_baseline(
        request,
        model,
        out,
        model_options,
        split_seed=split_seed,
        plot=plot,
        progress=Progress(enabled=not quiet),
    )
    title = (
        f"Table 1 - M0 ({model}) on {request.name_or_path}: validation split ({len(result.split.val)} "
        f"texts) and test split ({len(result.split.test)} texts)"
    )
    click.echo(format_table(val_test_table(result), title=title))
    click.echo(f"\nresults in {out}: " + ", ".join(p.name for p in result.files.values()))


@click.command()
@dataset_options
@click.option("--model", type=click.Choice(MODELS.names()), default="linear", show_default=True)
@click.option(
    "--model-option",
    "model_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="model parameter, repeatable (e.g. features=text, svd_components=256, device=cpu)",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="results/baseline",
    show_default=True,
    help="output directory (the split is saved there and reused)",
)
@click.option("--split-seed", type=int, default=42, show_default=True)
@click.option("--no-plot", is_flag=True, help="skip the PCA map")
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def baseline(
    dataset_request: DatasetRequest,
    model: str,
    model_option: tuple[str, ...],
    out: str,
    split_seed: int,
    no_plot: bool,
    quiet: bool,
) -> None:
    """Train M0 on the training split and print Table 1 (metrics on the test split)."""
    run_and_print(
        dataset_request,
        model,
        out,
        parse_key_values(model_option, "--model-option"),
        split_seed,
        not no_plot,
        quiet,
    )
