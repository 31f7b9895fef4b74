"""Shared fixtures. ``../shared/data`` (beside the checkout) holds the real ticket data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def shared_data_dir() -> Path | None:
    """``$AUTOGETS_DATA_DIR`` if set, else ``../shared/data`` when it exists."""
    env = os.environ.get("AUTOGETS_DATA_DIR")
    if env and Path(env).is_dir():
        return Path(env)
    return SHARED_DATA if (SHARED_DATA / "it_tickets").is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    found = shared_data_dir()
    if found is None:
        pytest.skip("../shared/data is not beside this checkout (CI and dev machines have it)")
    return found


@pytest.fixture(scope="session")
def demo_frame():
    from autogets_ray.data.datasets import DatasetRequest, load_dataset

    return load_dataset(DatasetRequest("demo-tickets"))


@pytest.fixture(scope="session")
def demo_split(demo_frame):
    from autogets_ray.data.splits import paper_split

    return paper_split(demo_frame, seed=42, dataset="demo-tickets")
