"""Experiment configuration: YAML in ``search_spaces/``, dotted overrides from the command line.

Every field has a default; the defaults are the quickstart (demo-tickets, linear model, ngram LLM
backend, local Ray), so ``autogets quickstart`` needs no file and ``search_spaces/quickstart.yaml``
spells the same values out.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from autogets_ray.experiment.evaluation import EvaluationConfig
from autogets_ray.metrics import OBJECTIVES
from autogets_ray.resources import ResourcesConfig


@dataclass
class DatasetConfig:
    name: str = "demo-tickets"
    data_dir: str | None = None
    text_column: str = "text"
    label_column: str = "label"
    encoding: str = "utf-8"
    min_class_size: int = 10
    drop_small_classes: bool = False
    drop_invalid_rows: bool = False
    split_seed: int = 42


@dataclass
class ModelConfig:
    name: str = "linear"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchConfig:
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    #: class names, or "smallest:N" / "all"
    target_classes: list[str] | str = "smallest:2"
    strategies: list[str] = field(default_factory=lambda: ["sw", "hsw", "ga", "random"])
    objectives: list[str] = field(default_factory=lambda: ["cba"])
    #: the paper's fixed-time budget: sum of retrain seconds of one search
    budget_seconds: float = 3600.0
    #: optional cap on trials per search (makes small runs exactly reproducible)
    max_candidates: int | None = 24
    #: optional wall-clock cap (seconds) for each search's Ray Tune run
    wall_clock_seconds: float | None = None
    model: ModelConfig = field(default_factory=ModelConfig)
    llm: dict[str, Any] = field(default_factory=lambda: {"backend": "ngram"})
    resources: ResourcesConfig = field(default_factory=ResourcesConfig)
    max_concurrent_trials: int = 2
    seed: int = 0
    encoder_components: int = 4
    #: per-strategy parameters passed to the strategy factory, e.g. {"ga": {"population": 10}}
    strategy_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: where Ray Tune keeps experiment state; default <out>/ray. Multi-node runs need a path every
    #: node reaches (NFS mount or a cloud URI such as s3://bucket/prefix).
    storage_path: str | None = None
    #: how a candidate is scored: holdout (the paper), kfold or repeated (see evaluation.py)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    #: no-search baselines evaluated per target class (see baselines.py); [] for none
    baselines: list[str] = field(default_factory=lambda: ["m0", "all-examples", "duplicate", "class-weight"])
    #: run the whole experiment on each of these split seeds (dataset.split_seed is then ignored)
    split_seeds: list[int] | None = None

    def validate(self) -> "SearchConfig":
        from autogets_ray.models import MODELS
        from autogets_ray.search import STRATEGIES

        for strategy in self.strategies:
            if strategy not in STRATEGIES:
                raise ValueError(f"strategies: unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES.names())}")
        for objective in self.objectives:
            if objective not in OBJECTIVES:
                raise ValueError(f"objectives: unknown objective {objective!r}; choose from {', '.join(OBJECTIVES)}")
        if self.model.name not in MODELS:
            raise ValueError(f"model.name: unknown model {self.model.name!r}; choose from {', '.join(MODELS.names())}")
        if self.budget_seconds <= 0:
            raise ValueError(f"budget_seconds must be positive, got {self.budget_seconds}")
        if self.max_candidates is not None and self.max_candidates < 1:
            raise ValueError(f"max_candidates must be at least 1 (or null), got {self.max_candidates}")
        if self.max_concurrent_trials < 1:
            raise ValueError(f"max_concurrent_trials must be at least 1, got {self.max_concurrent_trials}")
        for name in self.strategy_params:
            if name not in self.strategies and name not in STRATEGIES:
                raise ValueError(f"strategy_params: unknown strategy {name!r}")
        from autogets_ray.experiment.baselines import check_baselines

        if not isinstance(self.baselines, list):
            raise ValueError(f"baselines must be a list (e.g. [m0, duplicate] or []), got {self.baselines!r}")
        check_baselines(self.baselines)
        if self.split_seeds is not None:
            seeds = self.split_seeds
            if (not isinstance(seeds, list) or not seeds
                    or any(isinstance(v, bool) or not isinstance(v, int) for v in seeds)):
                raise ValueError(f"split_seeds must be a non-empty list of integers (e.g. [0, 1, 2]), got {seeds!r}")
            if len(set(seeds)) != len(seeds):
                raise ValueError(f"split_seeds lists a seed twice: {seeds}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _build(cls, data: dict[str, Any], where: str):
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; valid keys: {', '.join(known)}")
    kwargs = {}
    nested = {"dataset": DatasetConfig, "model": ModelConfig, "resources": ResourcesConfig,
              "evaluation": EvaluationConfig}
    for key, value in data.items():
        if cls is SearchConfig and key in nested:
            value = _build(nested[key], value or {}, f"{where}.{key}")
        kwargs[key] = value
    return cls(**kwargs)


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"a.b=3"`` -> ``("a.b", 3)``, the value read as YAML; ValueError when not ``KEY=VALUE``."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"{text!r} is not KEY=VALUE")
    return key.strip(), yaml.safe_load(raw)


def apply_override(data: dict[str, Any], dotted: str) -> None:
    """``"model.name=catboost"`` sets ``data["model"]["name"] = "catboost"`` (YAML-typed value)."""
    try:
        key, value = parse_assignment(dotted)
    except ValueError as exc:
        raise ValueError(f"override {exc} (e.g. model.name=catboost)") from None
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValueError(f"override {dotted!r}: {part!r} is not a section")
    node[parts[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> SearchConfig:
    """Defaults <- YAML file <- overrides, validated."""
    data: dict[str, Any] = {}
    where = "defaults"
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise ValueError(f"config file {path} does not exist (ready configs are in search_spaces/)")
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({exc})") from None
        where = str(path)
    data = copy.deepcopy(data)
    for item in overrides:
        apply_override(data, item)
    return _build(SearchConfig, data, where).validate()
