"""The local MOODS loop: a run interrupted after any closed round resumes to the same result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from autogets_ray.moods.core import MoodsSettings
from autogets_ray.moods.local import run_moods_local

from .conftest import FAST_MLP

SETTINGS = MoodsSettings(steps_per_round=2, max_candidates=7)


class Stop(Exception):
    pass


def test_a_run_stopped_after_a_round_resumes_without_refitting_it(ecoli_split, tmp_path):
    whole = run_moods_local(ecoli_split, SETTINGS, FAST_MLP, seed=0)
    checkpoint = tmp_path / "run.pkl"

    def stop_after_two(core):
        if core.round == 2:
            raise Stop

    with pytest.raises(Stop):
        run_moods_local(
            ecoli_split, SETTINGS, FAST_MLP, seed=0, on_round=stop_after_two, checkpoint=checkpoint
        )
    seen = []
    resumed = run_moods_local(
        ecoli_split,
        SETTINGS,
        FAST_MLP,
        seed=0,
        on_round=lambda core: seen.append(core.round),
        checkpoint=checkpoint,
    )
    assert seen[0] == 3  # rounds 1 and 2 were not fitted again
    assert [(h.candidate_id, h.val_f1, h.accepted) for h in resumed.history] == [
        (h.candidate_id, h.val_f1, h.accepted) for h in whole.history
    ]
    assert resumed.state.test == whole.state.test


def test_a_checkpoint_of_other_settings_is_refused(ecoli_split, tmp_path):
    checkpoint = tmp_path / "run.pkl"
    run_moods_local(ecoli_split, MoodsSettings(max_candidates=3), FAST_MLP, seed=0, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="other settings"):
        run_moods_local(ecoli_split, SETTINGS, FAST_MLP, seed=0, checkpoint=checkpoint)


@pytest.mark.slow
def test_kill_9_of_a_local_experiment_loses_no_closed_round(tmp_path):
    args = ["--dataset", "ecoli", "--runs", "1", "--engine", "local", "--method", "moods"]
    args += ["--max-candidates", "9", "--max-updates", "300", "--no-plot"]

    def command(out):
        return [sys.executable, "-m", "autogets_ray.cli.main", "moods", *args, "--out", str(out)]

    subprocess.run(command(tmp_path / "whole"), check=True, capture_output=True)
    out = tmp_path / "killed"
    process = subprocess.Popen(command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = out / "local" / "moods_run0.rounds.pkl"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert checkpoint.exists() and not (out / "results.csv").exists(), "the kill should land mid-run"
    resumed = subprocess.run(command(out), check=True, capture_output=True, text=True)
    assert "round 0:" not in resumed.stdout + resumed.stderr  # S_0 was not fitted again
    columns = ["method", "run", "f1", "f1_minority", "val_f1", "train_rows", "evaluations"]
    assert pd.read_csv(out / "results.csv")[columns].equals(
        pd.read_csv(tmp_path / "whole" / "results.csv")[columns]
    )
    history = ["candidate_id", "val_f1", "accepted"]
    assert pd.read_csv(out / "moods_history.csv")[history].equals(
        pd.read_csv(tmp_path / "whole" / "moods_history.csv")[history]
    )
