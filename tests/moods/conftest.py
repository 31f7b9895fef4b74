"""Fixtures for the MOODS tests: a small split and a local 2-CPU Ray."""

from __future__ import annotations

import pytest

from autogets_ray.moods.mlp import MLPConfig
from tests.conftest import start_local_ray

#: A cheap inner loop for tests (the defaults take seconds per fit).
FAST_MLP = MLPConfig(max_updates=150, max_epochs=100)


@pytest.fixture(scope="session")
def ecoli_split():
    from autogets_ray.data.tabular import load_tabular
    from autogets_ray.moods.split import split_tabular

    return split_tabular(load_tabular("ecoli"), seed=0)


@pytest.fixture(scope="module")
def ray_local():
    import os

    import ray

    os.environ.setdefault("RAY_worker_niceness", "0")  # see autogets_ray.ray_session.ensure_ray
    start_local_ray(num_cpus=2)
    yield
    ray.shutdown()
