from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from autogets_ray.errors import UserInputError
from autogets_ray.experiment.config import (
    CONFIG_FILE,
    SearchConfig,
    apply_override,
    check_output_config,
    config_from_dict,
    load_config,
    read_saved_config,
    write_output_config,
)

REPO = Path(__file__).resolve().parents[2]


def test_quickstart_yaml_spells_out_the_defaults():
    assert load_config(REPO / "search_spaces" / "quickstart.yaml").to_dict() == load_config().to_dict()


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "search_spaces").glob("*.yaml")))
def test_every_shipped_config_is_valid(name):
    data = yaml.safe_load((REPO / "search_spaces" / name).read_text())
    if "strategies" not in data:  # parameter files, not experiments
        return
    assert isinstance(load_config(REPO / "search_spaces" / name), SearchConfig)


def test_overrides_are_typed_and_nested():
    config = load_config(
        overrides=[
            "model.name=catboost",
            "budget_seconds=60",
            "strategies=[ga]",
            "resources.gpu=0.25",
            "dataset.name=it-tickets-tail",
        ]
    )
    assert config.model.name == "catboost" and config.budget_seconds == 60
    assert config.strategies == ["ga"] and config.resources.gpu == 0.25
    assert config.dataset.name == "it-tickets-tail"
    assert config.resources.as_ray() == {"cpu": 1.0, "gpu": 0.25}


@pytest.mark.parametrize(
    "override, message",
    [
        (
            "budget_seconds=abc",
            "budget_seconds: 'abc' is not a number (a positive number of seconds, may be .inf)",
        ),
        ("budget_seconds=0", "budget_seconds: 0 must be > 0"),
        ("budget_seconds=true", "budget_seconds: True is not a number"),
        ("max_concurrent_trials=two", "max_concurrent_trials: 'two' is not an integer (an integer >= 1)"),
        ("max_concurrent_trials=0", "max_concurrent_trials: 0 must be >= 1"),
        ("max_candidates=0", "max_candidates: 0 must be >= 1 (an integer >= 1, or null for no cap)"),
        ("seed=x", "seed: 'x' is not an integer (an integer in [0, 2**32))"),
        ("seed=4294967296", "seed: 4294967296 must be < 4294967296"),
        ("seed=1.5", "seed: 1.5 is not an integer"),
        ("encoder_components=1", "encoder_components: 1 must be >= 2"),
        ("wall_clock_seconds=0", "wall_clock_seconds: 0 must be > 0"),
        ("resources.cpu=abc", "resources.cpu: 'abc' is not a number (CPUs per trial, a number > 0)"),
        ("resources.cpu=0", "resources.cpu: 0 must be > 0"),
        ("resources.gpu=-1", "resources.gpu: -1 must be >= 0"),
        ("resources=3", "resources: 3 is not a section of KEY: VALUE pairs"),
        (
            "strategies=[zigzag]",
            "strategies: unknown strategy 'zigzag'; choose from datamodel, ga, hsw, random, sw",
        ),
        ("strategies=[sw, sw]", "strategies: 'sw' listed more than once"),
        ("strategies=[sw, 3]", "strategies[1]: 3 is not a string"),
        ("strategies=[]", "strategies: [] is empty"),
        ("objectives=[xyz]", "objectives: unknown objective 'xyz'"),
        ("baselines=[zz]", "baselines: unknown baseline 'zz'"),
        ("model.name=forest", "model.name: unknown model 'forest'; choose from catboost, linear"),
        ("model.options.zz=1", "model.options: bad option for model 'linear'"),
        ("model.options.class_weight=heavy", "model.options: linear class_weight must be one of"),
        ("colour=red", "colour: unknown key (valid keys: dataset, target_classes, strategies,"),
        ("dataset.nmae=x", "dataset.nmae: unknown key (valid keys: name, data_dir,"),
        ("dataset.name=nosuch", "dataset.name: unknown dataset 'nosuch'"),
        ("dataset.split_seed=-1", "dataset.split_seed: -1 must be >= 0"),
        ("dataset.drop_small_classes=maybe", "dataset.drop_small_classes: 'maybe' is not true or false"),
        ("target_classes=foo", "target_classes: 'foo' is not 'all' or 'smallest:N' (N >= 1)"),
        ("target_classes=smallest:0", "target_classes: 'smallest:0' is not 'all' or 'smallest:N'"),
        ("target_classes=[]", "target_classes: [] names no class"),
        ("split_seeds=[1, 1]", "split_seeds: [1, 1] lists a seed twice"),
        ("split_seeds=[]", "split_seeds: [] is empty"),
        ("split_seeds=[0, x]", "split_seeds[1]: 'x' is not an integer"),
        (
            "strategy_params.ga.popsize=3",
            "strategy_params.ga.popsize: unknown parameter of ga (it accepts: population",
        ),
        (
            "strategy_params.zz.a=3",
            "strategy_params.zz: unknown strategy; choose from datamodel, ga, hsw, random, sw",
        ),
        ("evaluation.scheme=loo", "evaluation.scheme: 'loo' is not one of 'holdout', 'kfold' or 'repeated'"),
        ("evaluation.folds=1", "evaluation.folds: 1 must be >= 2"),
        (
            "evaluation.colour=1",
            "evaluation.colour: unknown key (valid keys: scheme, folds, repeats, seed, margin_se)",
        ),
        (
            "llm.backend=gpt",
            "llm.backend: 'gpt' is not an LLM backend; choose one of: local-lm, ngram, openai",
        ),
        ("llm.top_p=0", "llm.top_p: 0 must be in (0, 1]"),
        ("llm.temperature=hot", "llm.temperature: 'hot' must be a number"),
        ("llm.colour=1", "llm.colour: unknown key (valid keys: api_key_env,"),
        ("llm.template=fancy", "llm.template: unknown prompt template 'fancy'"),
        ("mode=multi", "mode: unknown mode 'multi'; choose from single, pareto"),
    ],
)
def test_each_wrong_value_is_one_line_naming_its_key_value_and_what_is_allowed(override, message):
    with pytest.raises(UserInputError) as caught:
        load_config(overrides=[override])
    text = str(caught.value)
    assert text.startswith("config defaults with --set: ") and "\n" not in text
    assert message in text


def test_a_wrong_value_in_a_yaml_file_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text('budget_seconds: "abc"\nstrategies: [sw]\n')
    with pytest.raises(
        UserInputError,
        match=re.escape(
            f"config {path}: budget_seconds: 'abc' is not a number (a positive number of seconds, may be .inf)"
        ),
    ):
        load_config(path)


def test_every_wrong_value_gets_its_own_line():
    with pytest.raises(UserInputError) as caught:
        load_config(overrides=["budget_seconds=abc", "resources.cpu=0", "seed=-1", "colour=1"])
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["budget_seconds", "resources.cpu", "seed", "colour"]
    assert all(line.startswith("config defaults with --set: ") for line in lines)


def test_an_api_key_in_the_llm_block_is_refused_without_echoing_it():
    with pytest.raises(UserInputError) as caught:
        load_config(overrides=["llm.api_key=sk-secret-123"])
    assert "llm.api_key: never put an API key in a config" in str(caught.value)
    assert "sk-secret" not in str(caught.value)
    with pytest.raises(UserInputError) as caught:
        load_config(overrides=["llm.api_key_env=sk-secret-123"])
    assert "llm.api_key_env: must be the NAME" in str(caught.value) and "sk-secret" not in str(caught.value)


def test_the_llm_block_is_checked_at_load_but_kept_as_written(monkeypatch):
    monkeypatch.delenv("AUTOGETS_NO_SUCH_KEY", raising=False)
    block = {
        "backend": "openai",
        "model": "m",
        "base_url": "http://127.0.0.1:1/v1",
        "api_key_env": "AUTOGETS_NO_SUCH_KEY",
    }
    config = config_from_dict({"llm": block})  # no endpoint is contacted, no key is read
    assert config.llm == block and config.to_dict()["llm"] == block


@pytest.mark.parametrize(
    "override, value",
    [
        ("strategies=sw", ["sw"]),
        ("objectives=oba", ["oba"]),
        ("baselines=m0", ["m0"]),
        ("baselines=[]", []),
        ("split_seeds=3", [3]),
        ("target_classes=[1, Security]", ["1", "Security"]),
        ("budget_seconds=.inf", float("inf")),
        ("budget_seconds=2", 2.0),
        ("max_candidates=null", None),
        ("target_classes=all", "all"),
    ],
)
def test_single_values_read_as_one_element_lists_and_numbers_are_typed(override, value):
    key = override.split("=")[0]
    assert getattr(load_config(overrides=[override]), key) == value


def test_empty_sections_are_their_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("evaluation:\nresources:\nstrategies: [random]\n")
    config = load_config(path, ["evaluation.folds=3"])
    assert config.evaluation.folds == 3 and config.resources.cpu == 1.0


def test_nested_sections_keep_their_dataclass_api():
    config = load_config(overrides=["evaluation.scheme=kfold", "evaluation.folds=3"])
    assert dataclasses.asdict(config.evaluation)["folds"] == 3 and config.evaluation.fits_per_candidate == 4
    assert dataclasses.replace(config.resources, cpu=2).as_ray() == {"cpu": 2.0}


def test_to_dict_is_yaml_safe_and_round_trips():
    config = load_config(
        overrides=["split_seeds=[0, 1]", "strategy_params.ga.population=4", "budget_seconds=.inf"]
    )
    saved = yaml.safe_load(yaml.safe_dump(config.to_dict(), sort_keys=False))
    assert saved == config.to_dict() and config_from_dict(saved, "saved") == config


def test_one_split_of_a_split_seeds_config():
    config = load_config(overrides=["split_seeds=[5, 6]"])
    single = config.for_split(6)
    assert single.split_seeds is None and single.dataset.split_seed == 6
    assert config.split_seeds == [5, 6] and config.dataset.split_seed == 42
    assert single.to_dict() == {
        **config.to_dict(),
        "split_seeds": None,
        "dataset": {**config.to_dict()["dataset"], "split_seed": 6},
    }


def test_bad_override_syntax_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="is not KEY=VALUE"):
        apply_override({}, "budget_seconds")
    with pytest.raises(UserInputError, match=re.escape("--set strategies: '[sw' is not a valid value")):
        apply_override({}, "strategies=[sw")
    with pytest.raises(UserInputError, match="budget_seconds is a value, not a section"):
        apply_override({"budget_seconds": 3}, "budget_seconds.x=1")
    with pytest.raises(ValueError, match="does not exist"):
        load_config(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("strategies: [sw\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_config(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- sw\n")
    with pytest.raises(UserInputError, match="expected a mapping"):
        load_config(listing)


def test_the_output_config_is_checked_without_writing_and_written_on_request(tmp_path):
    out = tmp_path / "out"
    config = load_config()
    assert check_output_config(config, out, resume=False) is False and not out.exists()
    write_output_config(config, out)
    assert (
        read_saved_config(out) == config
        and yaml.safe_load((out / CONFIG_FILE).read_text()) == config.to_dict()
    )
    assert check_output_config(config, out, resume=True) is True
    other = load_config(overrides=["seed=3"])
    with pytest.raises(UserInputError, match="another configuration; continue it with --resume"):
        check_output_config(other, out, resume=False)
    with pytest.raises(UserInputError, match="different configuration"):
        check_output_config(other, out, resume=True)
    with pytest.raises(UserInputError, match="holds no experiment to resume"):
        read_saved_config(tmp_path / "empty")


def test_a_random_search_without_any_end_is_refused():
    with pytest.raises(UserInputError, match=re.escape("budget_seconds: is .inf and max_candidates is null")):
        load_config(overrides=["budget_seconds=.inf", "max_candidates=null"])
    assert load_config(
        overrides=["budget_seconds=.inf", "max_candidates=null", "strategies=[sw]"]
    ).strategies == ["sw"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            ["mode=pareto", "strategies=[ga]"],
            "objectives: needs 2 or 3 distinct objectives with mode: pareto",
        ),
        (
            ["mode=pareto", "objectives=[cr, oba]"],
            "strategies: 'sw' has no Pareto mode; with mode: pareto choose from ga",
        ),
    ],
)
def test_a_pareto_experiment_needs_two_or_three_objectives_and_the_ga(overrides, message):
    with pytest.raises(UserInputError, match=re.escape(message)):
        load_config(overrides=overrides)
    config = load_config(overrides=["mode=pareto", "objectives=[cr, oba]", "strategies=[ga]"])
    assert config.mode == "pareto" and load_config().mode == "single"
