"""Experiment configuration: YAML in ``search_spaces/``, dotted overrides from the command line.

Every field has a default; the defaults are the quickstart (demo-tickets, linear model, ngram LLM
backend, local Ray), so ``autogets quickstart`` needs no file and ``search_spaces/quickstart.yaml``
spells the same values out.

The config is a set of pydantic models that forbid unknown keys and check every type and range
when the config is loaded, before anything runs; a wrong value is a
:class:`~autogets_ray.errors.UserInputError` with one line per problem, e.g.
``config quickstart.yaml: budget_seconds: 'abc' is not a number (a positive number of seconds, may be .inf)``.
``strategies``, ``objectives``, ``baselines`` and ``split_seeds`` also take a single value for a
one-element list (``strategies: sw`` is ``[sw]``). The ``llm:`` block is checked by building a
:class:`~autogets_ray.llm.config.GenerationConfig` from it (nothing is contacted, no key is read);
the config keeps the block as written.
"""

from __future__ import annotations

import copy
import math
import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, field_validator, model_validator

from autogets_ray.errors import UserInputError
from autogets_ray.experiment.evaluation import EvaluationConfig
from autogets_ray.resources import ResourcesConfig
from autogets_ray.typed import Bool, Float, Int, Options, Str, one_of, one_or_many, show, validate

#: The config of an output directory, written once the run is accepted, compared on a rerun.
CONFIG_FILE = "config.yaml"

Seed = Annotated[Int, Field(ge=0, lt=2**32)]
SEED = "an integer in [0, 2**32)"
#: ``mode:`` single-objective searches, or one multi-objective (Pareto) search per class and strategy
MODES = ("single", "pareto")


def _section(value: Any) -> Any:
    """An empty section (``evaluation:`` with nothing under it) means its defaults."""
    return {} if value is None else value


def _known_names(names: list[str], choices: list[str] | tuple[str, ...], kind: str) -> list[str]:
    for name in names:
        one_of(name, choices, kind)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{', '.join(map(repr, twice))} listed more than once")
    return names


class DatasetConfig(Options):
    """``dataset:``: which labelled texts, and how to read them."""

    name: Str = Field("demo-tickets", description="a registered dataset or a path to a data file")
    data_dir: Str | None = Field(None, description="a directory, or null for $AUTOGETS_DATA_DIR")
    text_column: Str = Field("text", description="a column name")
    label_column: Str = Field("label", description="a column name")
    encoding: Str = Field("utf-8", description="a text encoding such as utf-8")
    min_class_size: Int = Field(10, ge=2, description="an integer >= 2")
    drop_small_classes: Bool = Field(False, description="true or false")
    drop_invalid_rows: Bool = Field(False, description="true or false")
    split_seed: Seed = Field(42, description=SEED)

    @field_validator("name")
    @classmethod
    def _registered_or_path(cls, name: str) -> str:
        from autogets_ray.data.datasets import DATASETS

        if name in DATASETS or os.sep in name or Path(name).suffix:
            return name
        raise ValueError(
            f"unknown dataset {name!r}: not a registered name ({', '.join(DATASETS.names())}) "
            f"and not a file path"
        )


class ModelConfig(Options):
    """``model:``: the classifier and its options (checked by building the model, without fitting)."""

    name: Str = Field("linear", description="a registered model")
    options: dict[Str, Any] = Field(default_factory=dict, description="the model's options, KEY: VALUE")

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        from autogets_ray.models import MODELS

        return one_of(name, MODELS.names(), "model")

    @model_validator(mode="after")
    def _options_build(self) -> ModelConfig:
        from autogets_ray.models import create_model

        try:
            create_model(self.name, **self.options)
        except (ValueError, TypeError) as exc:
            raise UserInputError(str(exc), key="options", reason=str(exc)) from None
        return self


def _target_classes(value: Any) -> Any:
    if isinstance(value, str):
        if value == "all" or re.fullmatch(r"smallest:[1-9][0-9]*", value):
            return value
        raise ValueError(
            f"{value!r} is not 'all' or 'smallest:N' (N >= 1); a list of classes is written [{value}]"
        )
    if isinstance(value, list):
        bad = [v for v in value if isinstance(v, bool) or not isinstance(v, (str, int))]
        if bad:
            raise ValueError(f"{show(bad[0])} is not a class name")
        names = [str(v) for v in value]
        if not names:
            raise ValueError("[] names no class; list class names, or use 'all' or 'smallest:N'")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(map(repr, twice))} listed more than once")
        return names
    raise ValueError(f"{show(value)} is not a list of class names, 'all' or 'smallest:N'")


class SearchConfig(Options):
    """An experiment: which classes, strategies and objectives to search, on what data and budget."""

    dataset: Annotated[DatasetConfig, BeforeValidator(_section)] = Field(default_factory=DatasetConfig)
    #: class names, or "smallest:N" / "all"
    target_classes: Annotated[list[str] | str, BeforeValidator(_target_classes)] = Field(
        "smallest:2", description="a list of class names, 'all' or 'smallest:N'"
    )
    strategies: Annotated[list[Str], BeforeValidator(one_or_many)] = Field(
        default_factory=lambda: ["sw", "hsw", "ga", "random"],
        min_length=1,
        description="a list of search strategies, e.g. [sw, ga]",
    )
    objectives: Annotated[list[Str], BeforeValidator(one_or_many)] = Field(
        default_factory=lambda: ["cba"], min_length=1, description="a list of objectives, e.g. [cba, oba]"
    )
    #: single: one search per (class, strategy, objective); pareto: one search per (class, strategy)
    #: for the front of every objective at once (2 or 3 of them; GA only)
    mode: Str = Field("single", description="single or pareto")
    #: the paper's fixed-time budget: sum of retrain seconds of one search
    budget_seconds: Float = Field(3600.0, gt=0, description="a positive number of seconds, may be .inf")
    #: optional cap on trials per search (makes small runs exactly reproducible)
    max_candidates: Int | None = Field(24, ge=1, description="an integer >= 1, or null for no cap")
    #: optional wall-clock cap (seconds) for each search's Ray Tune run
    wall_clock_seconds: Float | None = Field(None, gt=0, description="a positive number of seconds, or null")
    model: Annotated[ModelConfig, BeforeValidator(_section)] = Field(default_factory=ModelConfig)
    llm: Annotated[dict[Str, Any], BeforeValidator(_section)] = Field(
        default_factory=lambda: {"backend": "ngram"}, description="generation options, KEY: VALUE"
    )
    resources: Annotated[ResourcesConfig, BeforeValidator(_section)] = Field(default_factory=ResourcesConfig)
    max_concurrent_trials: Int = Field(2, ge=1, description="an integer >= 1")
    seed: Seed = Field(0, description=SEED)
    encoder_components: Int = Field(4, ge=2, description="the number of PCA components, an integer >= 2")
    #: per-strategy parameters passed to the strategy factory, e.g. {"ga": {"population": 10}}
    strategy_params: Annotated[dict[Str, dict[Str, Any]], BeforeValidator(_section)] = Field(
        default_factory=dict, description="per strategy, its parameters, e.g. {ga: {population: 10}}"
    )
    #: where Ray Tune keeps experiment state; default <out>/ray. Multi-node runs need a path every
    #: node reaches (NFS mount or a cloud URI such as s3://bucket/prefix).
    storage_path: Str | None = Field(None, description="a directory or URI, or null for <out>/ray")
    #: how a candidate is scored: holdout (the paper), kfold or repeated (see evaluation.py)
    evaluation: Annotated[EvaluationConfig, BeforeValidator(_section)] = Field(
        default_factory=EvaluationConfig
    )
    #: no-search baselines evaluated per target class (see baselines.py); [] for none
    baselines: Annotated[list[Str], BeforeValidator(one_or_many)] = Field(
        default_factory=lambda: ["m0", "all-examples", "duplicate", "class-weight"],
        description="a list of baselines, or [] for none",
    )
    #: run the whole experiment on each of these split seeds (dataset.split_seed is then ignored)
    split_seeds: Annotated[list[Seed] | None, BeforeValidator(one_or_many)] = Field(
        None, min_length=1, description="a list of integers in [0, 2**32), e.g. [0, 1, 2], or null"
    )

    @field_validator("strategies")
    @classmethod
    def _strategies(cls, names: list[str]) -> list[str]:
        from autogets_ray.search import STRATEGIES

        return _known_names(names, STRATEGIES.names(), "strategy")

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, names: list[str]) -> list[str]:
        from autogets_ray.metrics import OBJECTIVES

        return _known_names(names, tuple(OBJECTIVES), "objective")

    @field_validator("mode")
    @classmethod
    def _mode(cls, name: str) -> str:
        return one_of(name, MODES, "mode")

    @field_validator("baselines")
    @classmethod
    def _baselines(cls, names: list[str]) -> list[str]:
        from autogets_ray.experiment.baselines import BASELINES

        return _known_names(names, BASELINES, "baseline")

    @field_validator("split_seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int] | None) -> list[int] | None:
        if seeds is not None and len(set(seeds)) != len(seeds):
            raise ValueError(f"{seeds} lists a seed twice")
        return seeds

    @field_validator("strategy_params")
    @classmethod
    def _strategy_params(cls, params: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from autogets_ray.search import STRATEGIES, strategy_parameters

        for name, values in params.items():
            if name not in STRATEGIES:
                raise UserInputError(
                    f"unknown strategy {name!r}",
                    key=name,
                    reason=f"unknown strategy; choose from {', '.join(STRATEGIES.names())}",
                )
            accepted = strategy_parameters(name)
            unknown = [key for key in values if key not in accepted]
            if unknown:
                raise UserInputError(
                    f"unknown parameter {unknown[0]!r} of {name}",
                    key=f"{name}.{unknown[0]}",
                    reason=f"unknown parameter of {name} (it accepts: {', '.join(accepted)})",
                )
        return params

    @field_validator("llm")
    @classmethod
    def _generation_config(cls, values: dict[str, Any]) -> dict[str, Any]:
        from autogets_ray.llm.config import GenerationConfig

        GenerationConfig.from_dict(values)  # a UserInputError naming the option when one is wrong
        return values

    @model_validator(mode="after")
    def _random_ends(self) -> SearchConfig:
        if "random" in self.strategies and math.isinf(self.budget_seconds) and self.max_candidates is None:
            raise UserInputError(
                "the random strategy never ends with budget_seconds .inf and max_candidates null",
                key="budget_seconds",
                reason="is .inf and max_candidates is null: the random strategy would never "
                "end; give a finite budget or a max_candidates",
            )
        return self

    @model_validator(mode="after")
    def _pareto(self) -> SearchConfig:
        if self.mode != "pareto":
            return self
        from autogets_ray.search.pareto_ga import PARETO_STRATEGIES, check_objectives

        check_objectives(self.objectives)
        unfit = [name for name in self.strategies if name not in PARETO_STRATEGIES]
        if unfit:
            raise UserInputError(
                f"strategy {unfit[0]!r} has no Pareto mode",
                key="strategies",
                reason=f"{unfit[0]!r} has no Pareto mode; with mode: pareto choose from "
                f"{', '.join(PARETO_STRATEGIES.names())}",
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """A plain, YAML-safe dict of every value (what ``config.yaml`` holds)."""
        return self.model_dump(mode="python")

    def for_split(self, seed: int) -> SearchConfig:
        """The config of one split of a ``split_seeds`` experiment: that split seed, no ``split_seeds``."""
        return self.model_copy(
            update={"split_seeds": None, "dataset": self.dataset.model_copy(update={"split_seed": seed})}
        )


def config_from_dict(data: Any, where: str = "config") -> SearchConfig:
    """A validated :class:`SearchConfig` from a mapping (a YAML file's content); ``where`` names its
    source in the message of the :class:`UserInputError` raised for wrong values."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserInputError(f"{where}: expected a mapping of KEY: VALUE, got {type(data).__name__}")
    return validate(SearchConfig, data, where)


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"a.b=3"`` -> ``("a.b", 3)``, the value read as YAML (a scalar, ``[a, b]`` or ``{k: v}``).

    A :class:`UserInputError` when ``text`` is not ``KEY=VALUE`` or the value is not valid YAML.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserInputError(f"{text!r} is not KEY=VALUE", key=key or None, reason="is not KEY=VALUE")
    try:
        return key, yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        reason = (
            f"{raw!r} is not a valid value ({problem}); write a list as [a, b] and quote text "
            f"holding brackets or colons"
        )
        raise UserInputError(f"{key}: {reason}", key=key, reason=reason) from None


def apply_override(data: dict[str, Any], dotted: str) -> None:
    """``"model.name=catboost"`` sets ``data["model"]["name"] = "catboost"`` (YAML-typed value)."""
    try:
        key, value = parse_assignment(dotted)
    except UserInputError as exc:
        if exc.reason == "is not KEY=VALUE":
            raise UserInputError(
                f"--set {dotted!r} is not KEY=VALUE (e.g. --set model.name=catboost)"
            ) from None
        raise UserInputError(f"--set {exc}") from None
    parts = key.split(".")
    node = data
    for i, part in enumerate(parts[:-1]):
        if node.get(part) is None:  # absent, or an empty section in the file
            node[part] = {}
        node = node[part]
        if not isinstance(node, dict):
            raise UserInputError(
                f"--set {dotted}: {'.'.join(parts[: i + 1])} is a value, not a section with keys"
            )
    node[parts[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> SearchConfig:
    """Defaults <- YAML file <- ``--set`` overrides, validated (a :class:`UserInputError` when wrong)."""
    data: Any = {}
    where = "config defaults"
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise UserInputError(f"config file {path} does not exist (ready configs are in search_spaces/)")
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise UserInputError(f"{path}: not valid YAML ({exc})") from None
        where = f"config {path}"
        if not isinstance(data, dict):
            raise UserInputError(f"{where}: expected a mapping of KEY: VALUE, got {type(data).__name__}")
    data = copy.deepcopy(data)
    for item in overrides:
        apply_override(data, item)
    if overrides:
        where += " with --set"
    return config_from_dict(data, where)


# --- the config of an output directory ------------------------------------------------------------


def saved_config_path(out: str | Path) -> Path:
    return Path(out) / CONFIG_FILE


def read_saved_config(out: str | Path) -> SearchConfig:
    """The validated config saved in ``out`` (``--resume`` without a config); UserInputError if none."""
    path = saved_config_path(out)
    if not path.is_file():
        raise UserInputError(f"{out} holds no experiment to resume ({CONFIG_FILE} missing)")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise UserInputError(f"{path}: not valid YAML ({exc})") from None
    return config_from_dict(data, f"config {path}")


def check_output_config(config: SearchConfig, out: str | Path, resume: bool) -> bool:
    """Whether ``out`` already holds this config; writes nothing.

    A :class:`UserInputError` when ``out`` holds an experiment with another config. Call it before
    anything is written to ``out``, and :func:`write_output_config` once the run is accepted
    (config valid, resources grantable).
    """
    path = saved_config_path(out)
    if not path.exists():
        return False
    try:
        saved = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        saved = None
    if saved == config.to_dict():
        return True
    if resume:
        raise UserInputError(
            f"{path} holds a different configuration than the one given; resume with the "
            f"same config (or just --resume --out {out}), or use a new --out"
        )
    raise UserInputError(
        f"{out} already holds an experiment with another configuration; continue it with "
        f"--resume --out {out} (its saved configuration) or choose a new --out"
    )


def write_output_config(config: SearchConfig, out: str | Path) -> Path:
    """Write ``out/config.yaml`` (creating ``out``); only once the run has been accepted."""
    path = saved_config_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(config.to_dict(), sort_keys=False))
    tmp.replace(path)  # a kill never leaves half a config behind
    return path
