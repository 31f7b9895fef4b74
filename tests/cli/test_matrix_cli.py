"""``autogets matrix``: every class x strategy x objective search on one Tuner, then report and ensemble."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

MATRIX_QUICK = str(REPO_ROOT / "search_spaces" / "matrix-quick.yaml")


def test_matrix_then_ensemble_and_report_write_every_table_and_figure(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGETS_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "matrix"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "matrix",
            "--config",
            MATRIX_QUICK,
            "--set",
            "target_classes=smallest:3",
            "--set",
            "max_candidates=2",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 3 * 3 * 4  # classes x strategies x objectives, one Tuner
    assert set(summary["strategy"]) == {"sw", "hsw", "ga"}
    assert set(summary["objective"]) == {"cr", "cba", "oba", "of1"}
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 2 * len(summary) and not trials.duplicated(["search_id", "candidate_id"]).any()
    lookup = pd.read_csv(out / "knowledge_base" / "lookup.csv")
    classes = list(summary["target_class"].unique())
    assert set(lookup["target_class"]) == set(classes)
    interaction = pd.read_csv(out / "knowledge_base" / "interaction.csv")
    assert set(interaction["applied_class"]) == set(classes)
    assert "Best strategy-objective per class and metric" in result.output

    smallest = classes[-1]
    result = runner.invoke(
        cli,
        [
            "ensemble",
            str(out),
            "--requirement",
            "r3",
            "--target-class",
            smallest,
            "--random-runs",
            "1",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    figures = {p.name for p in (out / "figures").glob("*.png")}
    expected = {
        "fig4_improvements.png",
        "fig5_pareto.png",
        "fig6a_interaction.png",
        "fig6b_oba_effect.png",
        f"fig7_ensemble_r3-{smallest}.png",
        "fig27_trajectories_cr.png",
        "fig28_trajectories_cba.png",
        "fig29_trajectories_oba.png",
        "fig30_trajectories_of1.png",
    }
    assert expected <= figures
    page = (out / "report.html").read_text()
    assert all(f"figures/{name}" in page for name in expected)


def test_an_interrupted_matrix_resumes_without_repeating_trials(tmp_path):
    out = tmp_path / "matrix"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    args = [
        "--config",
        MATRIX_QUICK,
        "--set",
        "target_classes=smallest:2",
        "--set",
        "strategies=[sw, ga]",
        "--set",
        "max_candidates=3",
        "--set",
        "max_concurrent_trials=1",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogets_ray.cli.main", "-v", "matrix", *args],  # -v: a line per trial
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    finished = 0
    deadline = time.monotonic() + 300
    for line in proc.stderr:  # one progress line per finished trial, from several searches
        if " #" in line and "val " in line:
            finished += 1
            if finished == 10:
                proc.send_signal(signal.SIGINT)
                break
        assert time.monotonic() < deadline, "the matrix did not progress"
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr[-2000:]
    assert "--resume" in stderr and not (out / "trials.parquet").exists()

    resumed_at = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "autogets_ray.cli.main", "matrix", "--resume", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 2 * 2 * 4 * 3  # classes x strategies x objectives x candidates
    assert not trials.duplicated(["search_id", "candidate_id"]).any()
    assert (trials["finished_at"] < resumed_at).sum() >= 10  # kept from before Ctrl-C, not rerun
    assert (out / "knowledge_base" / "lookup.csv").exists()
