"""Fixtures for the LLM generation tests: small class texts, configs on a temp cache, servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autogets_ray.llm import GenerationConfig
from autogets_ray.llm.backends import create_backend
from autogets_ray.llm.data import class_texts
from autogets_ray.llm.server import Faults, LocalLLMServer

FAKE_KEY = "sk-autogets-FAKE-key-0123456789abcdef"
KEY_ENV = "AUTOGETS_TEST_LLM_KEY"


@pytest.fixture(scope="session")
def texts(demo_split) -> dict[str, list[str]]:
    return class_texts(demo_split)


@pytest.fixture
def fake_key(monkeypatch) -> str:
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    return FAKE_KEY


@pytest.fixture
def ngram_config(tmp_path) -> GenerationConfig:
    return GenerationConfig(backend="ngram", cache_dir=str(tmp_path / "cache"))


def openai_config(server: LocalLLMServer, cache_dir, **changes) -> GenerationConfig:
    """The openai backend against a local server, with quick retries."""
    values = dict(
        backend="openai",
        model="ngram-test",
        base_url=server.base_url,
        api_key_env=KEY_ENV,
        cache_dir=str(cache_dir),
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        timeout_s=5.0,
        max_retries=3,
    )
    values.update(changes)
    return GenerationConfig(**values)


@pytest.fixture
def make_server(texts) -> Iterator:
    """``make_server(Faults(...))`` starts an ngram-backed local server, stopped after the test."""
    started: list[LocalLLMServer] = []

    def make(faults: Faults | None = None) -> LocalLLMServer:
        backend = create_backend(GenerationConfig(backend="ngram"), texts)
        server = LocalLLMServer(backend, faults).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
