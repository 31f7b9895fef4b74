"""Interrupt a real search (Ctrl-C) and resume it: no finished trial runs twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

ARGS = [
    "--set",
    "target_classes=[Security]",
    "--set",
    "strategies=[random]",
    "--set",
    "max_candidates=14",
    "--set",
    "max_concurrent_trials=1",
]


def autogets(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autogets_ray.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_interrupted_search_resumes_without_repeating_trials(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache"), "RAY_ADDRESS": ""}
    env.pop("RAY_ADDRESS")
    proc = autogets("-v", "search", *ARGS, "--out", str(out), env=env)  # -v: a line per trial
    finished = 0
    deadline = time.monotonic() + 300
    for line in proc.stderr:  # progress lines: one per finished trial
        if "Security-random-cba #" in line:
            finished += 1
            if finished == 5:
                proc.send_signal(signal.SIGINT)
                break
        assert time.monotonic() < deadline, "the search did not progress"
    rest = proc.communicate(timeout=300)
    assert proc.returncode == 130, rest
    assert "--resume" in rest[1]
    assert not (out / "trials.parquet").exists()

    resumed_at = time.time()
    proc = autogets("search", "--resume", "--out", str(out), env=env)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    assert "finished trial(s) replayed" in stderr
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 14
    assert trials["candidate_id"].is_unique
    before = trials[trials["timestamp"] < resumed_at]
    assert len(before) >= 5  # the trials finished before Ctrl-C were kept, not run again
    assert "Improvement over M0" in stdout
