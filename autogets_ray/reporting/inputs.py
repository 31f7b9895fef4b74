"""Reading a results directory (``autogets search`` / ``autogets matrix`` output) for a report.

The search tables are required; the split, knowledge base and ensemble runs are optional and
read lazily, so a report skips what a directory lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, class_columns

#: Files every results directory holds (what ``autogets search`` writes first).
REQUIRED_FILES = ("m0.json", "summary.csv", "trials.parquet")
KNOWLEDGE_BASE = "knowledge_base"
ENSEMBLE = "ensemble"


@dataclass
class ResultsDir:
    """Lazy access to the tables of one results directory."""

    path: Path

    @classmethod
    def open(cls, path: str | Path) -> "ResultsDir":
        """Check that ``path`` is a results directory; ValueError naming what is missing."""
        path = Path(path)
        if not path.is_dir():
            raise UserInputError(
                f"{path} is not a directory (expected the --out of autogets search or matrix)"
            )
        for name in REQUIRED_FILES:
            if not (path / name).is_file():
                raise UserInputError(
                    f"{path} is not a results directory: {name} is missing "
                    f"(it holds the output of autogets search or autogets matrix)"
                )
        return cls(path)

    @cached_property
    def m0(self) -> dict[str, dict[str, float]]:
        """M0's flat metrics: ``{"val": {...}, "test": {...}}``."""
        data = json.loads((self.path / "m0.json").read_text())
        for part in SPLITS:
            if not isinstance(data.get(part), dict):
                raise UserInputError(f"{self.path / 'm0.json'} has no {part!r} metrics")
        return data

    @cached_property
    def summary(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "summary.csv")

    @cached_property
    def trials(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "trials.parquet")

    @cached_property
    def classes(self) -> list[str]:
        """Every class, from M0's per-class metrics (order as saved)."""
        return list(class_columns(self.m0["val"], "cr"))

    def optional_path(self, *parts: str) -> Path | None:
        path = self.path.joinpath(*parts)
        return path if path.exists() else None

    @cached_property
    def split_sizes(self) -> pd.DataFrame | None:
        """Examples per class and split part (columns total, train, val, test), largest first."""
        path = self.optional_path("split.parquet")
        if path is None:
            return None
        frame = pd.read_parquet(path, columns=["label", "part"])
        sizes = pd.crosstab(frame["label"].astype(str), frame["part"])
        sizes = sizes.reindex(columns=["train", "val", "test"], fill_value=0)
        sizes.insert(0, "total", sizes.sum(axis=1))
        return sizes.sort_values(["total", "train"], ascending=False)

    def classes_by_size(self) -> list[str]:
        """Classes largest first (training size when the split is saved, else M0's order)."""
        sizes = self.split_sizes
        if sizes is None:
            return self.classes
        known = [c for c in sizes.sort_values("train", ascending=False).index if c in self.classes]
        return known + [c for c in self.classes if c not in known]

    @cached_property
    def trajectory(self) -> pd.DataFrame | None:
        path = self.optional_path("trajectory.parquet")
        return None if path is None else pd.read_parquet(path)

    def knowledge_base_csv(self, name: str) -> pd.DataFrame | None:
        path = self.optional_path(KNOWLEDGE_BASE, name)
        return None if path is None else pd.read_csv(path)

    def ensemble_runs(self) -> dict[str, pd.DataFrame]:
        """``ensemble/<name>/steps.csv`` of every ensemble run, by name (sorted)."""
        root = self.optional_path(ENSEMBLE)
        if root is None:
            return {}
        return {p.parent.name: pd.read_csv(p) for p in sorted(root.glob("*/steps.csv"))}

    def ensemble_result(self, name: str) -> dict[str, Any] | None:
        path = self.optional_path(ENSEMBLE, name, "result.json")
        return None if path is None else json.loads(path.read_text())
