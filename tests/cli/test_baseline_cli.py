from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli

TABLE1 = ["class", "size", "balanced_accuracy", "recall", "f1"]


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_baseline_on_demo_tickets_writes_every_file(tmp_path):
    out = tmp_path / "m0"
    result = run(["baseline", "--dataset", "demo-tickets", "--model", "linear", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Table 1" in result.output and "overall" in result.output
    header = next(line for line in result.output.splitlines() if line.startswith("class "))
    assert [c.strip() for c in header.split("  ") if c.strip()] == [
        "class",
        "size",
        "val BA",
        "val recall",
        "val F1",
        "test BA",
        "test recall",
        "test F1",
        "test support",
    ]
    table = pd.read_csv(out / "table1.csv")
    assert list(table.columns[:5]) == TABLE1
    assert table["class"].iloc[-1] == "overall"
    assert table["size"].iloc[-1] == table["size"].iloc[:-1].sum() == 3012
    assert pd.read_parquet(out / "table1.parquet").equals(table)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] == pytest.approx(table["recall"].iloc[-1])
    # the printed overall row: OBA, accuracy and weighted F1 on val, then on test
    overall = next(line for line in result.output.splitlines() if line.startswith("overall"))
    printed = [float(v) for v in overall.split()[2:8]]
    assert printed == pytest.approx(
        [metrics[s][k] for s in ("val", "test") for k in ("oba", "accuracy", "of1")], abs=5e-4
    )
    assert metrics["val"]["oba"] != pytest.approx(
        metrics["test"]["oba"], abs=5e-4
    )  # two splits, not one twice
    assert (out / "pca_map.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "split.parquet").exists()
    # A second run in the same directory reuses the persisted split and gives the same table.
    again = run(["baseline", "--dataset", "demo-tickets", "--out", str(out), "--no-plot", "--quiet"])
    assert again.exit_code == 0
    assert pd.read_csv(out / "table1.csv").equals(table)


def test_baseline_on_a_user_file(tmp_path, demo_frame):
    path = tmp_path / "tickets.csv"
    demo_frame.rename(columns={"text": "body", "label": "queue"}).to_csv(path, index=False)
    result = run(
        [
            "baseline",
            "--dataset",
            str(path),
            "--text-column",
            "body",
            "--label-column",
            "queue",
            "--out",
            str(tmp_path / "o"),
            "--no-plot",
            "--quiet",
        ]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "missing.csv"], "missing.csv does not exist"),
        (["--dataset", "nosuch"], "unknown dataset 'nosuch'"),
        (["--model-option", "depth"], "is not KEY=VALUE"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["baseline", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "o").exists()  # no empty --out left behind


@pytest.mark.parametrize(
    "args", [["--dataset", "missing.csv"], ["--model-option", "bogus=1"]], ids=["data", "model"]
)
def test_a_failure_after_out_was_created_removes_it_but_keeps_an_existing_one(tmp_path, args):
    created = tmp_path / "new" / "o"
    result = CliRunner().invoke(cli, ["baseline", "--out", str(created), "--no-plot", *args])
    assert result.exit_code == 2 and result.output.splitlines()[-1].startswith("Error: ")
    assert not created.exists() and not created.parent.exists()  # nor the parent it created
    existing = tmp_path / "existing"
    existing.mkdir()
    result = CliRunner().invoke(cli, ["baseline", "--out", str(existing), "--no-plot", *args])
    assert result.exit_code == 2 and existing.is_dir()


def test_console_script_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "baseline",
            "--dataset",
            str(tmp_path / "x.csv"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Error:" in proc.stderr and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_baseline_on_real_tickets_matches_the_measured_accuracy(tmp_path, data_dir):
    out = tmp_path / "it"
    result = run(
        [
            "baseline",
            "--dataset",
            "it-tickets",
            "--data-dir",
            str(data_dir),
            "--model",
            "linear",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "table1.csv")
    overall = table[table["class"] == "overall"].iloc[0]
    assert abs(overall["recall"] - 0.864) <= 0.02
    assert len(table) == 9 and overall["size"] == 47837
