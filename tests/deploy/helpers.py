"""One real small experiment per test session, shared by the deploy and export CLI tests.

demo-tickets, linear model, ngram samples: the two smallest classes x (hsw, random) x cba, three
candidates per search (a real ``autogets search`` on a local Ray, in a subprocess), then an R3
ensemble on Security (real retrains, Ray-free). The tests only read it; they export into their own
directories and copy it before changing anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import copy_experiment

_SHARED: dict[str, Path] = {}


def shared_results(tmp_path_factory: pytest.TempPathFactory, small_experiment: Path) -> Path:
    """The shared experiment's results directory (a copy of the session's small experiment, plus an
    R3 ensemble on Security, made on first use); its cache is ``../llm-cache``."""
    if "root" in _SHARED:
        return _SHARED["root"]
    base = tmp_path_factory.mktemp("deploy-experiment")
    copy_experiment(small_experiment, base)
    from autogets_ray.ensemble.run import run_ensemble
    from autogets_ray.progress import Progress

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOGETS_CACHE_DIR", str(base / "llm-cache"))
        run_ensemble(
            base / "res", "r3", important="Security", compare=False, progress=Progress(enabled=False)
        )
    _SHARED["root"] = base / "res"
    return _SHARED["root"]


def cache_dir(results: Path) -> Path:
    return results.parent / "llm-cache"


def copy_results(results: Path, to: Path) -> Path:
    """A copy of the results directory a test may change (without Ray's trial directories)."""
    shutil.copytree(results, to, ignore=shutil.ignore_patterns("ray"))
    return to


def recommend(results: Path, target: str, recommendation: str, kind: str, val_delta: float = 0.01) -> None:
    """Make every search of ``target`` in (a copy of) ``results`` recommend ``recommendation``."""
    for name in ("summary.parquet", "summary.csv"):
        path = results / name
        table = pd.read_parquet(path) if name.endswith("parquet") else pd.read_csv(path)
        rows = table["target_class"] == target
        table.loc[rows, "recommendation"] = recommendation
        table.loc[rows, "recommendation_kind"] = kind
        table.loc[rows, "recommended_val_delta"] = val_delta
        table.to_parquet(path, index=False) if name.endswith("parquet") else table.to_csv(path, index=False)


def write_test_split(results: Path, path: Path) -> Path:
    """The experiment's test split as a CSV with ``text`` and ``label`` columns."""
    split = pd.read_parquet(results / "split.parquet")
    split[split["part"] == "test"][["text", "label"]].to_csv(path, index=False)
    return path
