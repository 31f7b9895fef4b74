"""kill -9 of the driver mid-experiment, then a rerun: nothing finished is trained again, and the
outputs equal those of an uninterrupted run (AutoGeTS search and MOODS, through the real CLI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from autogets_ray.engine.journal import JOURNAL_FILE, TrialJournal

pytestmark = pytest.mark.slow

SEARCH = [
    "search",
    "--config",
    "search_spaces/quickstart.yaml",
    "--set",
    "target_classes=[Security]",
    "--set",
    "strategies=[hsw,ga,random]",
    "--set",
    "max_candidates=8",
]
MOODS = [
    "moods",
    "--dataset",
    "ecoli",
    "--runs",
    "2",
    "--method",
    "moods",
    "--max-candidates",
    "5",
    "--max-epochs",
    "60",
    "--no-plot",
]
#: what differs between two MOODS runs of the same config: wall-clock timings
TIMING = ("seconds", "compute_seconds")


def environment(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    return env


def autogets(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autogets_ray.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        cwd=Path(__file__).parents[2],
    )


def kill_after(args: list[str], env: dict[str, str], journal: Path, finished: int) -> None:
    """Start the command and SIGKILL it once ``finished`` trials are in its journal."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogets_ray.cli.main", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count('"kind": "trial"') >= finished:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the command ended before it could be killed"


def without_timing(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in frame.columns if c in TIMING])
    return frame.sort_values(keys).reset_index(drop=True)


def test_a_killed_search_resumes_to_the_uninterrupted_summary(tmp_path):
    env = environment(tmp_path)
    whole = autogets([*SEARCH, "--out", str(tmp_path / "whole")], env)
    assert whole.returncode == 0, whole.stderr[-3000:]

    out = tmp_path / "cut"
    kill_after([*SEARCH, "--out", str(out)], env, out / JOURNAL_FILE, finished=7)
    before = TrialJournal(out / JOURNAL_FILE).results()
    assert not (out / "summary.csv").exists() and len(before) >= 7
    resumed = autogets([*SEARCH, "--out", str(out), "--resume"], env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{len(before)} finished trial(s) replayed" in resumed.stderr

    journal = TrialJournal(out / JOURNAL_FILE)
    assert journal.retrained() == []
    assert len(journal.results()) == 3 * 8

    def summary(directory):  # the whole file: it holds no timings
        return pd.read_csv(directory / "summary.csv").sort_values("search_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(summary(out), summary(tmp_path / "whole"))
    columns = ["search_id", "candidate_id", "proposal_index", "val_objective", "test_objective"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "trials.parquet")[columns],
        pd.read_parquet(tmp_path / "whole" / "trials.parquet")[columns],
    )


def test_a_killed_moods_experiment_resumes_to_the_uninterrupted_results(tmp_path):
    env = environment(tmp_path)
    whole = autogets([*MOODS, "--out", str(tmp_path / "whole")], env)
    assert whole.returncode == 0, whole.stderr[-3000:]

    out = tmp_path / "cut"
    journal_path = out / "tune" / JOURNAL_FILE
    kill_after([*MOODS, "--out", str(out)], env, journal_path, finished=4)
    before = len(TrialJournal(journal_path).results())
    resumed = autogets([*MOODS, "--out", str(out)], env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    journal = TrialJournal(journal_path)
    assert journal.retrained() == []
    assert len(journal.results()) == 2 * 5 and before >= 4
    keys = ["method", "run"]
    pd.testing.assert_frame_equal(
        without_timing(pd.read_csv(out / "results.csv"), keys),
        without_timing(pd.read_csv(tmp_path / "whole" / "results.csv"), keys),
    )
