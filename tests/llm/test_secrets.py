"""The API key is read from the environment only and never reaches a file: cache, exports, logs."""

from __future__ import annotations

import logging

import yaml
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from autogets_ray.llm import Example, GenerationConfig, build_generator
from autogets_ray.llm.server import Faults
from tests.llm.conftest import KEY_ENV, openai_config


def test_the_api_key_is_absent_from_every_file_written(make_server, fake_key, texts, tmp_path):
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # the openai client and httpx log requests at DEBUG
    bad = texts["Access"][1]
    server = make_server(Faults(script=["500", "429"], retry_after=0.05, fail_texts=(bad,)))
    config = openai_config(server, tmp_path / "cache", max_retries=2)
    try:
        with build_generator(config) as gen:
            result = gen.generate([Example(i, t, "Access") for i, t in enumerate(texts["Access"][:4])])
            gen.cache.export(tmp_path / "export.parquet")
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(config.to_dict()))
        cli_run = CliRunner().invoke(
            cli,
            [
                "generate",
                "--class",
                "Access",
                "--limit",
                "3",
                "--backend",
                "openai",
                "--base-url",
                server.base_url,
                "--api-key-env",
                KEY_ENV,
                "--model",
                "m",
                "--cache-dir",
                str(tmp_path / "cli-cache"),
                "--json",
                "--quiet",
                "--set",
                "backoff_base_s=0.01",
                "--set",
                "max_retries=1",
            ],
        )
        (tmp_path / "cli-output.txt").write_text(cli_run.output)
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
    assert set(result.errors) == {1}
    # the CLI run meets the failing example too: it reports it and exits 1
    assert cli_run.exit_code == 1 and '"failures": 1' in cli_run.output, cli_run.output
    assert log_file.stat().st_size > 0 and "api_key:" not in (tmp_path / "config.yaml").read_text()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 6  # db (+ WAL) x2, export, log, config, CLI output
    for path in written:
        data = path.read_bytes()
        assert fake_key.encode() not in data, path
        assert fake_key[-12:].encode() not in data, path  # not even a masked tail


def test_a_missing_key_is_a_clear_error_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("AUTOGETS_NO_SUCH_KEY", raising=False)
    config = GenerationConfig(backend="openai", api_key_env="AUTOGETS_NO_SUCH_KEY", cache_dir=str(tmp_path))
    try:
        build_generator(config)
    except ValueError as exc:
        assert "AUTOGETS_NO_SUCH_KEY" in str(exc) and "not set" in str(exc)
    else:
        raise AssertionError("expected a ValueError")
