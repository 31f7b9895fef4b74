"""``autogets report RESULTS_DIR``: the paper's tables and figures as one HTML or Markdown page."""

from __future__ import annotations

import click


@click.command()
@click.argument("results_dir", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="report.html (self-contained page) or report.md",
)
def report(results_dir: str, fmt: str) -> None:
    """Write RESULTS_DIR/report.html and figures/*.png from a search, matrix or ensemble output."""
    from autogets_ray.reporting.report import write_report

    path = write_report(results_dir, fmt)
    figures = sorted((path.parent / "figures").glob("*.png"))
    click.echo(f"wrote {path} and {len(figures)} figures in {path.parent / 'figures'}")
