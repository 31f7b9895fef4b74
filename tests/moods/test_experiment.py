"""run_moods_experiment: one row per (method, run), and a subset of runs per call."""

from __future__ import annotations

import pytest

from autogets_ray.data.tabular import load_tabular
from autogets_ray.moods.experiment import ExperimentSpec, run_moods_experiment

from .conftest import FAST_MLP


def test_only_runs_does_those_runs_and_the_tables_cover_every_finished_one(tmp_path):
    data = load_tabular("ecoli")
    spec = ExperimentSpec(methods=("none",), runs=3, mlp=FAST_MLP, engine="local", plot=False)
    results, _ = run_moods_experiment(data, tmp_path, spec, only_runs=(2,))
    assert list(results["run"]) == [2]
    results, _ = run_moods_experiment(data, tmp_path, spec, only_runs=(0,))
    assert list(results["run"]) == [0, 2]


def test_only_runs_outside_the_range_is_refused(tmp_path):
    spec = ExperimentSpec(methods=("none",), runs=2, mlp=FAST_MLP, engine="local", plot=False)
    with pytest.raises(ValueError, match=r"runs \[2\] are outside 0..1"):
        run_moods_experiment(load_tabular("ecoli"), tmp_path, spec, only_runs=(0, 2))
