from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_search_with_the_quickstart_config_prints_the_improvement_table(tmp_path):
    out = tmp_path / "qs"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "autogets_ray.cli.main", "search", "--config",
         str(REPO / "search_spaces" / "quickstart.yaml"), "--out", str(out),
         "--set", "max_candidates=4", "--set", "strategies=[hsw, random]"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Improvement over M0" in proc.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 4  # 2 smallest classes x 2 strategies
    assert set(summary["target_class"]) == {"Security", "Purchase"}
    for cls in summary["target_class"]:
        assert cls in proc.stdout
    trials = pd.read_parquet(out / "trials.parquet")
    assert {"strategy", "target_class", "objective", "subset_size", "retrain_seconds"} <= set(trials.columns)
    assert "Security-hsw-cba #1" in proc.stderr  # per-trial progress lines


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "strategies=[zigzag]"], "unknown strategy 'zigzag'"),
        (["--config", "nope.yaml"], "nope.yaml does not exist"),
        (["--set", "budget_seconds"], "is not KEY=VALUE"),
        (["--resume"], "holds no experiment to resume"),
    ],
)
def test_bad_search_input_is_a_clear_error(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["search", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_a_different_config_in_an_existing_output_is_refused(tmp_path):
    from autogets_ray.experiment.config import load_config
    from autogets_ray.experiment.runner import _save_or_check_config

    _save_or_check_config(load_config(), tmp_path, resume=False)
    with pytest.raises(ValueError, match="another configuration; pass --resume"):
        _save_or_check_config(load_config(overrides=["seed=3"]), tmp_path, resume=False)
    with pytest.raises(ValueError, match="different configuration"):
        _save_or_check_config(load_config(overrides=["seed=3"]), tmp_path, resume=True)
