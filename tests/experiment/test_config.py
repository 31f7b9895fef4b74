from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autogets_ray.experiment.config import SearchConfig, apply_override, load_config

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
    config = load_config(overrides=["model.name=catboost", "budget_seconds=60", "strategies=[ga]",
                                    "resources.gpu=0.25", "dataset.name=it-tickets-tail"])
    assert config.model.name == "catboost" and config.budget_seconds == 60
    assert config.strategies == ["ga"] and config.resources.gpu == 0.25
    assert config.dataset.name == "it-tickets-tail"


@pytest.mark.parametrize(
    "override, message",
    [
        ("strategies=[zigzag]", "unknown strategy 'zigzag'"),
        ("objectives=[xyz]", "unknown objective 'xyz'"),
        ("model.name=forest", "unknown model 'forest'"),
        ("budget_seconds=0", "budget_seconds must be positive"),
        ("colour=red", "unknown key\\(s\\) colour"),
        ("dataset.nmae=x", "defaults.dataset: unknown key\\(s\\) nmae"),
        ("resources.cpu=0", "resources: cpu must be > 0"),
    ],
)
def test_bad_values_name_the_key(override, message):
    with pytest.raises(ValueError, match=message):
        load_config(overrides=[override])


def test_bad_override_syntax_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="is not KEY=VALUE"):
        apply_override({}, "budget_seconds")
    with pytest.raises(ValueError, match="does not exist"):
        load_config(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("strategies: [sw\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_config(bad)
