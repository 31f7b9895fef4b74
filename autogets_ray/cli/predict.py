"""``autogets predict``: classify the texts of a file with a model directory from `autogets export`."""

from __future__ import annotations

import sys

import click


@click.command()
@click.argument("model_dir", type=click.Path(file_okay=False))
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV / TSV / Parquet / JSON-lines file (or a zip holding one)",
)
@click.option("--text-column", default="text", show_default=True, help="the column holding the texts")
@click.option("--label-column", default=None, help="true labels: also print the per-class metrics")
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="output file (.csv/.tsv/.parquet/.jsonl) [default: CSV on stdout]",
)
@click.option("--encoding", default="utf-8", show_default=True, help="text encoding of a CSV/TSV/JSON input")
def predict(
    model_dir: str,
    input_path: str,
    text_column: str,
    label_column: str | None,
    out: str | None,
    encoding: str,
) -> None:
    """Write the predicted label (`predicted`) and per-class scores (`score[<class>]`) of every row of --input."""
    from autogets_ray.deploy.predict import metrics_table, predict_file
    from autogets_ray.reporting.tables import format_table

    result = predict_file(model_dir, input_path, text_column, out, label_column, encoding)
    info = sys.stderr if out is None else sys.stdout
    if out is None:
        result.frame.to_csv(sys.stdout, index=False)
    else:
        click.echo(
            f"{len(result.frame)} predictions ({result.model.name}, {len(result.model.classes)} classes) in {out}"
        )
    if result.evaluation is not None:
        title = f"Metrics on {input_path} ({len(result.frame)} rows, labels in {label_column!r})"
        click.echo(format_table(metrics_table(result.evaluation), float_digits=4, title=title), file=info)
