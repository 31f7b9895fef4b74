"""MOODS trials on a share of a GPU: Ray grants the share and the MLP goes where torch can train."""

from __future__ import annotations

import io
import json

import pytest

from autogets_ray.moods.core import MoodsSettings
from autogets_ray.moods.tune_run import MoodsRun, run_moods_tune
from autogets_ray.progress import Progress
from autogets_ray.resources import ResourcesConfig

from .conftest import FAST_MLP
from tests.conftest import start_local_ray

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_with_one_gpu():
    """A local Ray that declares one GPU: real on a GPU machine, a logical resource elsewhere."""
    import os

    import ray

    os.environ.setdefault("RAY_worker_niceness", "0")
    start_local_ray(num_cpus=2, num_gpus=1)
    yield
    ray.shutdown()


def test_trials_get_their_gpu_share_and_report_where_they_trained(ray_with_one_gpu, ecoli_split, tmp_path):
    import torch

    stream = io.StringIO()
    progress = Progress(prefix="t", stream=stream)
    run = MoodsRun("moods_run0", ecoli_split, MoodsSettings(steps_per_round=2, max_candidates=3), seed=0)
    run_moods_tune(
        [run], FAST_MLP, storage_path=tmp_path, resources=ResourcesConfig(cpu=1, gpu=0.5), progress=progress
    )
    reports = [json.loads(p.read_text().splitlines()[-1]) for p in (tmp_path / "moods").glob("*/result.json")]
    assert len(reports) == 3
    assert {r["trial_gpu"] for r in reports} == {0.5}
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert {r["model_device"] for r in reports} == {expected}
    if expected == "cpu":
        assert "their model trained on CPU" in stream.getvalue()
