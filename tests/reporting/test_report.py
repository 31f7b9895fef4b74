"""``autogets report`` on constructed results directories (full, plain search, not a results dir)."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from tests.reporting.results_fixture import CLASSES, write_full_results, write_search_dir

PNG_HEADER = b"\x89PNG\r\n\x1a\n"
SEARCH_FIGURES = [
    "fig4_improvements.png",
    "fig5_pareto.png",
    "fig28_trajectories_cba.png",
    "fig29_trajectories_oba.png",
]
KB_FIGURES = ["fig6a_interaction.png", "fig6b_oba_effect.png"]
ENSEMBLE_FIGURES = ["fig7_ensemble_r1.png", "fig7_ensemble_r3-Network.png"]


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """One full report (figures are the slow part), shared by the checks below."""
    out = write_full_results(tmp_path_factory.mktemp("results") / "run")
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_HEADER and len(data) > 5000, path


def test_full_report_writes_every_figure_and_references_it(full_report):
    out, output = full_report
    page = (out / "report.html").read_text()
    for name in SEARCH_FIGURES + KB_FIGURES + ENSEMBLE_FIGURES:
        _assert_png(out / "figures" / name)
        assert f'src="figures/{name}"' in page
    assert "report.html" in output and "8 figures" in output
    assert "Skipped" not in page


def test_full_report_shows_class_names_escaped_and_table_values(full_report):
    out, _ = full_report
    page = (out / "report.html").read_text()
    for name in CLASSES:
        assert html.escape(name) in page
    assert "R&D <ops>" not in page  # never raw
    summary = pd.read_csv(out / "summary.csv")
    row = summary[summary["search_id"] == "Network-ga-cba"].iloc[0]
    assert f"{row['delta_cba_val']:+.4f}" in page and f"{row['delta_oba_test']:+.4f}" in page
    assert f"{row['m0_cba']:.3f}" in page
    # Table 3 lookup: strategy-objective with its deltas; the ensemble result.json
    assert "best for CBA" in page and "GA-OBA (+0.0200 val, +0.0050 test)" in page
    assert "the ensemble stopped: no improvement in 2 iterations" in page
    assert "ΔCBA of Network val" in page and "order_exhausted" in page  # final changes per method


def test_table1_sizes_and_overall_row(full_report):
    from autogets_ray.reporting.inputs import ResultsDir
    from autogets_ray.reporting.paper_tables import table1_m0

    out, _ = full_report
    results = ResultsDir.open(out)
    table = table1_m0(results)
    assert table["class"].tolist() == CLASSES + ["overall"]
    assert table["size"].tolist() == [100, 50, 21, 171] and table["train"].tolist() == [64, 32, 12, 108]
    assert table.iloc[-1]["val CBA"] == pytest.approx(results.m0["val"]["oba"])
    assert table.iloc[1]["test F1"] == pytest.approx(results.m0["test"]["f1[Network]"])


def test_markdown_format(tmp_path):
    out = write_search_dir(tmp_path / "search")
    (out / "trajectory.parquet").unlink()  # fewer figures: faster
    result = CliRunner().invoke(cli, ["report", str(out), "--format", "md"])
    assert result.exit_code == 0, result.output
    page = (out / "report.md").read_text()
    assert "## Table 1: M0 per class" in page and "| class |" in page
    assert "](figures/fig5_pareto.png)" in page and "| R&D <ops> |" in page
    assert "> **Note:** Skipped: knowledge_base/lookup.csv is missing" in page


def test_plain_search_dir_skips_missing_sections_with_notes(tmp_path):
    out = write_search_dir(tmp_path / "search")
    (out / "trajectory.parquet").unlink()
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert "Skipped: knowledge_base/lookup.csv is missing" in page
    assert "Skipped Fig. 6a: knowledge_base/interaction.csv is missing" in page
    assert "Skipped Fig. 6b" in page and "autogets ensemble" in page
    assert "Skipped: trajectory.parquet is missing; it is written by autogets search" in page
    written = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert written == ["fig4_improvements.png", "fig5_pareto.png"]


@pytest.mark.parametrize("missing", ["m0.json", "summary.csv", "trials.parquet"])
def test_not_a_results_dir_is_exit_2_naming_the_missing_file(tmp_path, missing):
    out = write_search_dir(tmp_path / "search")
    (out / missing).unlink()
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 2
    assert f"{missing} is missing" in result.output and str(out) in result.output
    assert not (out / "report.html").exists()


def test_a_missing_dir_is_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "is not a directory" in result.output


def test_table2_rows_largest_class_first_in_the_paper_strategy_order(full_report):
    from autogets_ray.reporting.inputs import ResultsDir
    from autogets_ray.reporting.paper_tables import table2_improvements

    table = table2_improvements(ResultsDir.open(full_report[0]))
    assert table["class"].tolist()[::4] == CLASSES
    assert table[["strategy", "objective"]].head(4).values.tolist() == [
        ["sw", "cba"],
        ["sw", "oba"],
        ["ga", "cba"],
        ["ga", "oba"],
    ]


def test_an_unusable_optional_input_becomes_a_note(tmp_path):
    out = write_search_dir(tmp_path / "search")
    (out / "trajectory.parquet").unlink()
    (out / "knowledge_base").mkdir()
    pd.DataFrame({"target_class": ["Network"], "metric": ["cba"]}).to_csv(
        out / "knowledge_base" / "lookup.csv"
    )
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert (
        "Skipped: knowledge_base/lookup.csv lacks column(s) delta_test, delta_val, objective, strategy"
        in page
    )
