"""GenerationConfig (defaults, YAML round trip, bad values) and the versioned prompts."""

from __future__ import annotations

import pickle

import pytest

from autogets_ray.llm import GenerationConfig
from autogets_ray.llm.prompts import TEMPLATES, PromptAdapter, get_template, parse_paper_prompt
from autogets_ray.llm.types import GenerationRequest, SamplingParams

PARAMS = SamplingParams(0.7, 550, 0.5, 0.3, 0.0, 0)


def test_defaults_are_the_papers_and_round_trip_through_a_dict(tmp_path):
    config = GenerationConfig(cache_dir=str(tmp_path))
    assert (
        config.samples_per_example,
        config.temperature,
        config.max_tokens,
        config.top_p,
        config.frequency_penalty,
        config.presence_penalty,
    ) == (5, 0.7, 550, 0.5, 0.3, 0.0)
    assert GenerationConfig.from_dict(config.to_dict()) == config
    assert pickle.loads(pickle.dumps(config)) == config
    assert hash(config) == hash(GenerationConfig.from_dict(config.to_dict()))


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGETS_CACHE_DIR", str(tmp_path / "here"))
    assert GenerationConfig().cache_path == tmp_path / "here" / "generations.sqlite"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"temperature": 3}, "temperature=3"),
        ({"top_p": 0}, "top_p=0"),
        ({"samples_per_example": 0}, "samples_per_example=0"),
        ({"max_in_flight": 0}, "max_in_flight=0"),
        ({"cache_journal_mode": "memory"}, "cache_journal_mode"),
        ({"api_key_env": "sk-abc.def"}, "NAME of an environment variable"),
        ({"api_key": "sk-123"}, "never put an API key in a config"),
        ({"temprature": 0.5}, "unknown generation option"),
        ({"requests_per_minute": "100"}, "must be a number"),
        ({"model": 3}, "must be a string"),
    ],
)
def test_bad_values_raise_a_value_error_naming_the_option(values, message):
    with pytest.raises(ValueError, match=message):
        GenerationConfig.from_dict(values)


def test_paper_prompt_is_the_papers_text_and_parses_back():
    adapter = PromptAdapter(get_template("paper"))
    prompt = adapter.render(GenerationRequest("vpn  drops\nevery hour", "Network", 5, 0, PARAMS))
    assert prompt.text == (
        "Generate 5 lines of the data similar to this format data: vpn drops "
        "every hour put & at the end of each line"
    )
    assert prompt.chat and prompt.template == "paper-v1" and prompt.system == ""
    assert parse_paper_prompt(prompt.text) == (5, "vpn drops every hour")
    assert parse_paper_prompt("tell me a joke") is None


def test_list_prompt_for_small_models():
    adapter = PromptAdapter(get_template("list"), kind="support ticket")
    prompt = adapter.render(GenerationRequest("printer jam", None, 3, 0, PARAMS))
    assert prompt.text == "Below are realistic support tickets, one per line.\n1. printer jam\n2."
    assert not prompt.chat and prompt.template == "list-v1"


def test_chat_template_has_a_system_message_and_asks_for_n_different_lines():
    prompt = PromptAdapter(get_template("chat")).render(GenerationRequest("printer jam", None, 4, 0, PARAMS))
    assert prompt.chat and prompt.template == "chat-v1"
    assert prompt.system == "You write realistic synthetic IT support tickets."
    assert prompt.text.startswith("Write 4 new support tickets") and prompt.text.endswith(
        "Example: printer jam"
    )


def test_templates_are_a_registry_of_named_versions():
    assert set(TEMPLATES.names()) >= {"paper", "list", "chat"}
    assert get_template("paper-v1") is get_template("paper")  # a pinned version
    with pytest.raises(ValueError, match="unknown prompt template 'v9'; choose one of: chat, list"):
        get_template("v9")
    with pytest.raises(ValueError, match="unknown prompt template"):
        GenerationConfig(template="fancy")


def test_the_former_template_version_option_still_loads():
    assert GenerationConfig.from_dict({"template_version": "list-v1"}).template == "list-v1"
