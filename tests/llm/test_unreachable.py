"""An endpoint that is down: a few connection failures in a row stop every example at once."""

from __future__ import annotations

import socket
import time

import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from autogets_ray.llm import Example, GenerationConfig, Generator, build_generator
from autogets_ray.llm.backends import BackendError, create_backend
from autogets_ray.llm.cache import GenerationCache
from autogets_ray.llm.retry import RetryPolicy
from tests.llm.conftest import KEY_ENV


def dead_url() -> str:
    """The URL of a port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def dead_config(tmp_path, **changes) -> GenerationConfig:
    """The openai backend against a dead port, with the default (slow) backoff."""
    values = {
        "backend": "openai",
        "model": "x",
        "base_url": dead_url(),
        "api_key_env": KEY_ENV,
        "cache_dir": str(tmp_path / "cache"),
        "timeout_s": 5.0,
    }
    return GenerationConfig(**{**values, **changes})


def batch(texts, k=20):
    return [Example(i, f"{texts['Email'][i % len(texts['Email'])]} {i}", "Email") for i in range(k)]


def test_a_dead_endpoint_stops_every_example_after_a_few_attempts(tmp_path, fake_key, texts):
    config = dead_config(tmp_path, max_in_flight=1)
    started = time.perf_counter()
    with build_generator(config) as gen:
        result = gen.generate(batch(texts))
        recorded = gen.cache.errors()
    seconds = time.perf_counter() - started
    assert result.stopped == (
        f"cannot reach the LLM endpoint {config.base_url} (connection refused, 3 times in a row); "
        f"is the server running? Start one with `autogets llm-serve` (Ray Serve) or "
        f"`autogets llm-server`, or check base_url"
    )
    assert sorted(result.errors) == list(range(20))
    assert all(message.endswith(result.stopped) for message in result.errors.values())
    counters = result.counters
    assert (counters["attempts"], counters["retries"], counters["failures"]) == (3, 2, 20)
    assert recorded.empty  # the server's fault, not the examples': nothing to count as failing
    assert seconds < 15  # liveness only: two short pauses, not 5 retries with backoff per example


def test_concurrent_examples_stop_together(tmp_path, fake_key, texts):
    config = dead_config(tmp_path, max_in_flight=4, max_connection_failures=2)
    with build_generator(config) as gen:
        result = gen.generate(batch(texts))
    assert len(result.errors) == 20 and "2 times in a row" in result.stopped
    # the failures that tripped the stop, plus at most one attempt under way in each other thread
    assert result.counters["attempts"] <= 2 + 4 - 1


def flaky(gen: Generator, script: list[str]) -> list[str]:
    """Make ``gen``'s ngram backend fail to connect whenever ``script`` says "down"."""
    real, calls = gen.backend.complete, []

    def complete(prompt):
        calls.append(script.pop(0) if script else "ok")
        if calls[-1] == "down":
            raise BackendError(
                "cannot connect: connection refused", retryable=True, connection="connection refused"
            )
        return real(prompt)

    gen.backend.complete = complete
    return calls


def make_generator(tmp_path, texts, **changes) -> Generator:
    config = GenerationConfig(
        backend="ngram",
        cache_dir=str(tmp_path / "cache"),
        max_in_flight=1,
        base_url="http://127.0.0.1:1/v1",
        backoff_base_s=0.01,
        **changes,
    )
    return Generator(config, create_backend(config, texts), GenerationCache(config.cache_path))


def test_a_reply_resets_the_count_of_failures_in_a_row(tmp_path, texts):
    with make_generator(tmp_path, texts) as gen:
        calls = flaky(gen, ["down", "down", "ok", "down", "down", "ok"])
        result = gen.generate(batch(texts, 2))
    assert result.errors == {} and not result.stopped
    assert calls[:6] == ["down", "down", "ok", "down", "down", "ok"]  # then any top-ups


def test_a_later_call_tries_again_once_the_server_is_back(tmp_path, texts):
    with make_generator(tmp_path, texts) as gen:
        calls = flaky(gen, ["down"] * 3)
        first = gen.generate(batch(texts, 3))
        second = gen.generate(batch(texts, 3))
    assert len(first.errors) == 3 and "http://127.0.0.1:1/v1" in first.stopped
    assert second.errors == {} and not second.stopped and len(second.samples) == 15
    assert calls[:3] == ["down"] * 3 and set(calls[3:]) == {"ok"}


def test_max_connection_failures_is_validated():
    with pytest.raises(ValueError, match="max_connection_failures=0 must be at least 1"):
        GenerationConfig(max_connection_failures=0)


@pytest.mark.parametrize("quiet", [True, False])
def test_generate_against_a_dead_endpoint_prints_one_line(tmp_path, quiet):
    args = [
        "generate",
        "--class",
        "Email",
        "--limit",
        "20",
        "--backend",
        "openai",
        "--base-url",
        dead_url(),
        "--api-key-env",
        "",
        "--model",
        "x",
    ] + (["--quiet"] if quiet else [])
    done = CliRunner(env={"AUTOGETS_CACHE_DIR": str(tmp_path)}).invoke(cli, args)
    assert done.exit_code == 1, done.output
    errors = [line for line in done.stderr.splitlines() if "Error" in line or "failed" in line]
    assert len(errors) == 1 and errors[0].startswith("Error: cannot reach the LLM endpoint http://")
    assert "Traceback" not in done.output and done.stdout == ""


def test_a_connection_retry_waits_at_most_the_cap():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=60.0, seed=0)
    assert policy.delay("k", 5, None, backoff=0.5) == 0.5  # the full step would be >= 16 s
    assert policy.delay("k", 0, None, backoff=0.5) <= 0.5
    assert policy.delay("k", 5, 2.0, backoff=0.5) == 2.0  # a server's Retry-After still wins
