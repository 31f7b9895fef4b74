"""Shared fixtures. ``../shared/data`` (beside the checkout) holds the real ticket data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


#: The small real experiment several test modules read: demo-tickets, the two smallest classes x
#: (hsw, random) x cba, three candidates per search, one ``autogets search`` run on a local Ray.
SMALL_EXPERIMENT = [
    "--set",
    "target_classes=smallest:2",
    "--set",
    "strategies=[hsw, random]",
    "--set",
    "objectives=[cba]",
    "--set",
    "max_candidates=3",
]


@pytest.fixture(scope="session")
def small_experiment(tmp_path_factory) -> Path:
    """The small experiment, run once per session (``res/`` beside its generation cache ``llm-cache/``).
    Read it only: :func:`copy_experiment` gives a test module its own copy to write into."""
    base = tmp_path_factory.mktemp("small-experiment")
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(base / "llm-cache")}
    env.pop("RAY_ADDRESS", None)
    command = [sys.executable, "-m", "autogets_ray.cli.main", "search", "--quiet", "--out", str(base / "res")]
    proc = subprocess.run(
        command + SMALL_EXPERIMENT, capture_output=True, text=True, env=env, timeout=600, cwd=REPO_ROOT
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return base / "res"


def copy_experiment(results: Path, to: Path) -> Path:
    """A copy of the small experiment's results (without Ray's trial directories) and its generation
    cache, as ``to/res`` and ``to/llm-cache``; returns ``to/res``."""
    shutil.copytree(results, to / "res", ignore=shutil.ignore_patterns("ray"))
    shutil.copytree(results.parent / "llm-cache", to / "llm-cache")
    return to / "res"


def start_local_ray(**options) -> None:
    """A new local Ray for one test module (``address="local"``: never a cluster another test
    started with ``ray start``). Test files share worker processes, so a Ray an earlier file of this
    process left running is shut down first."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
    options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False, **options}
    ray.init(address="local", **options)
