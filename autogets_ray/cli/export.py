"""``autogets export``: the chosen model of a results directory, with its training set and model card."""

from __future__ import annotations

import click

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.progress import Progress


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="the model directory to write")
@click.option(
    "--recommended",
    "recommended",
    is_flag=True,
    help="[default] each target class's recommendation (M0, a baseline or a search's candidate), combined",
)
@click.option(
    "--search", "search_id", default=None, metavar="SEARCH_ID", help="one search's trial (summary.csv)"
)
@click.option(
    "--candidate",
    "candidate_id",
    default=None,
    metavar="ID",
    help="with --search: this trial [default: its best]",
)
@click.option(
    "--ensemble",
    default=None,
    metavar="NAME",
    help="the accepted steps of RESULTS_DIR/ensemble/NAME (r1, r2, r3-<class>)",
)
@click.option(
    "--class",
    "classes",
    multiple=True,
    metavar="NAME",
    help="with --recommended: only this class's recommendation (repeatable) [default: every target class]",
)
@click.option(
    "--objective",
    default=None,
    help="with --recommended: the searches' objective to compare [default: the first]",
)
@click.option(
    "--refit-on",
    type=click.Choice(["train", "train+val"]),
    default="train",
    show_default=True,
    help="train: the very fit the experiment measured; train+val: refit on both (validation becomes in-sample)",
)
@click.option("--overwrite", is_flag=True, help="replace an existing model directory at --out")
@click.option("--quiet", is_flag=True, help="no progress lines")
@cleans_out_on_error
def export(
    results_dir: str,
    out: str,
    recommended: bool,
    search_id: str | None,
    candidate_id: str | None,
    ensemble: str | None,
    classes: tuple[str, ...],
    objective: str | None,
    refit_on: str,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Retrain the chosen configuration of RESULTS_DIR (an `autogets quickstart`/`search`/`matrix` output)
    and write MODEL_DIR: the model, training_set.parquet, metadata.json and model_card.md."""
    from autogets_ray.deploy.export import export_model
    from autogets_ray.errors import UserInputError

    if recommended and (search_id or ensemble):
        raise UserInputError("choose one of --recommended, --search and --ensemble")
    result = export_model(
        results_dir,
        out,
        search_id=search_id,
        candidate_id=candidate_id,
        ensemble=ensemble,
        classes=classes,
        objective=objective,
        refit_on=refit_on,
        overwrite=overwrite,
        progress=Progress(enabled=not quiet, prefix="autogets export"),
    )
    meta = result.metadata
    ts, rep = meta["training_set"], meta["metrics"]["reproduction"]
    parts = [p["description"] for p in meta["selection"]["parts"]] or ["M0 (nothing added)"]
    click.echo(f"exported {meta['model']['name']} ({meta['selection']['mode']}): " + "; ".join(parts))
    click.echo(
        f"training set: {ts['rows']} rows ({ts['real_rows']} real, {ts['synthetic_rows']} synthetic, "
        f"{ts['duplicate_rows']} duplicated), fitted on {ts['refit_on']}"
    )
    test = meta["metrics"]["exported"]["test"]
    m0 = meta["metrics"]["m0"]["test"]
    click.echo(
        f"test OBA {test['oba']:.4f} (M0 {m0['oba']:.4f}), accuracy {test['accuracy']:.4f} (M0 {m0['accuracy']:.4f})"
    )
    if rep.get("reproduced") is not None:
        click.echo(
            f"recorded metrics ({meta['metrics']['recorded']['source']}): "
            + ("the train-only fit: " if ts["refit_on"] != "train" else "")
            + (
                "reproduced"
                if rep["reproduced"]
                else f"NOT reproduced (max difference {rep['max_abs_difference']:.3g})"
            )
        )
    for warning in meta["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"model directory {result.out}: model_card.md, metadata.json, {ts['file']}, "
        + ", ".join(meta["model"]["files"])
    )
