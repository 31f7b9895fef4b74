"""``autogets report`` on a real small search output (local Ray, ngram LLM, linear model)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_report_from_a_real_search(tmp_path):
    out = tmp_path / "search"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "search",
            "--quiet",
            "--out",
            str(out),
            "--set",
            "target_classes=[Security, Network]",
            "--set",
            "strategies=[hsw, random]",
            "--set",
            "max_candidates=3",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    search_figures = ["fig4_improvements.png", "fig5_pareto.png", "fig28_trajectories_cba.png"]
    for name in search_figures:
        assert (out / "figures" / name).read_bytes()[:4] == b"\x89PNG"
        assert f"figures/{name}" in page
    for name in ("Security", "Network", "Hardware"):  # Table 1 lists every class
        assert name in page
    assert "Skipped: knowledge_base/lookup.csv is missing" in page

    # what autogets ensemble writes (knowledge base, one R3 run) fills the remaining sections
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "ensemble",
            str(out),
            "--requirement",
            "r3",
            "--target-class",
            "Security",
            "--random-runs",
            "1",
            "--candidates",
            "1",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = CliRunner().invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    for name in search_figures + [
        "fig6a_interaction.png",
        "fig6b_oba_effect.png",
        "fig7_ensemble_r3-Security.png",
    ]:
        assert (out / "figures" / name).read_bytes()[:4] == b"\x89PNG"
        assert f"figures/{name}" in page
    assert "Skipped" not in page and "best for CBA" in page and "CBA of Security" in page
