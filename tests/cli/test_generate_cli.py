"""``autogets generate`` and ``autogets cache``: the acceptance interface."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from autogets_ray.cli.main import cli


def run(args, env=None):
    return CliRunner(env=env).invoke(cli, args, catch_exceptions=False)


def last_json(result) -> dict:
    """The JSON object that ends stdout (the progress bar is on stderr)."""
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_generate_twice_the_second_run_is_served_from_the_cache(tmp_path):
    env = {"AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    args = [
        "generate",
        "--dataset",
        "demo-tickets",
        "--class",
        "Security",
        "--limit",
        "12",
        "--backend",
        "ngram",
        "--json",
    ]
    first = run(args, env)
    assert first.exit_code == 0, first.output
    one = last_json(first)
    assert (one["requested"], one["cache_hits"], one["backend_calls"], one["samples"]) == (12, 0, 12, 60)
    two = last_json(run(args, env))
    assert (two["requested"], two["cache_hits"], two["backend_calls"], two["samples"]) == (12, 12, 0, 60)
    assert one["cache"].startswith(str(tmp_path / "cache"))

    stats = last_json(run(["cache", "stats", "--json"], env))
    assert (stats["examples"], stats["samples"]) == (12, 60)
    assert stats["groups"][0]["label"] == "Security"


def test_generate_covers_only_training_examples_and_the_whole_class_without_limit(tmp_path, demo_split):
    env = {"AUTOGETS_CACHE_DIR": str(tmp_path)}
    summary = last_json(run(["generate", "--class", "Purchase", "--json", "--quiet"], env))
    train = demo_split.train
    assert summary["requested"] == int((train["label"] == "Purchase").sum())


def test_cache_export_import_moves_a_pool_between_machines(tmp_path):
    here, there = {"AUTOGETS_CACHE_DIR": str(tmp_path / "a")}, {"AUTOGETS_CACHE_DIR": str(tmp_path / "b")}
    run(["generate", "--class", "Security", "--limit", "5", "--json"], here)
    exported = run(["cache", "export", str(tmp_path / "pool.parquet"), "--class", "Security"], here)
    assert "wrote 25 samples" in exported.output
    imported = run(["cache", "import", str(tmp_path / "pool.parquet")], there)
    assert "imported 5 examples" in imported.output
    again = last_json(run(["generate", "--class", "Security", "--limit", "5", "--json"], there))
    assert again["backend_calls"] == 0 and again["cache_hits"] == 5


def test_generation_options_come_from_yaml_and_set(tmp_path):
    config = tmp_path / "gen.yaml"
    config.write_text("generation:\n  samples_per_example: 3\n  seed: 4\n")
    env = {"AUTOGETS_CACHE_DIR": str(tmp_path)}
    summary = last_json(
        run(["generate", "--class", "Security", "--limit", "4", "--config", str(config), "--json"], env)
    )
    assert summary["samples"] == 12
    summary = last_json(
        run(
            [
                "generate",
                "--class",
                "Security",
                "--limit",
                "4",
                "--config",
                str(config),
                "--set",
                "samples_per_example=2",
                "--json",
            ],
            env,
        )
    )
    assert summary["samples"] == 8 and summary["backend_calls"] == 4


def test_bad_input_is_a_one_line_error(tmp_path):
    env = {"AUTOGETS_CACHE_DIR": str(tmp_path)}
    unknown = CliRunner(env=env).invoke(cli, ["generate", "--class", "Nope", "--json"])
    assert unknown.exit_code == 2 and "unknown class 'Nope'" in unknown.output
    bad = CliRunner(env=env).invoke(cli, ["generate", "--class", "Security", "--set", "top_p=0"])
    assert bad.exit_code == 2 and "top_p=0" in bad.output


def test_the_console_script_prints_a_progress_bar_with_an_eta(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "generate",
            "--class",
            "Email",
            "--limit",
            "8",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "AUTOGETS_CACHE_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "generating" in done.stderr and "8/8" in done.stderr and "<" in done.stderr  # tqdm ETA
    assert json.loads(done.stdout)["requested"] == 8


def test_llm_server_command_serves_the_openai_api_and_generate_uses_it(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "llm-server",
            "--port",
            str(port),
            "--latency",
            "0.01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/v1"
        for _ in range(120):  # bounded wait for start-up (imports, demo data)
            try:
                with urllib.request.urlopen(url + "/models", timeout=2) as reply:
                    assert json.loads(reply.read())["data"][0]["id"] == "ngram"
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the server did not start")
        done = run(
            [
                "generate",
                "--class",
                "Email",
                "--limit",
                "3",
                "--backend",
                "openai",
                "--base-url",
                url,
                "--api-key-env",
                "",
                "--model",
                "ngram",
                "--json",
                "--quiet",
            ],
            {"AUTOGETS_CACHE_DIR": str(tmp_path)},
        )
        summary = last_json(done)
        assert done.exit_code == 0 and summary["backend_calls"] == 3 and summary["samples"] == 15
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_generate_with_the_local_language_model_reports_the_pools_quality(tmp_path):
    """The acceptance interface: real llama.cpp samples and their quality in the JSON summary."""
    env = {"AUTOGETS_CACHE_DIR": str(tmp_path)}
    args = [
        "generate",
        "--dataset",
        "demo-tickets",
        "--class",
        "Security",
        "--limit",
        "5",
        "--backend",
        "local-lm",
        "--json",
        "--quiet",
    ]
    summary = last_json(run(args, env))
    assert summary["backend_calls"] == 5 and summary["samples"] > 0
    quality = summary["quality"]
    assert 0 < quality["kept_rate"] <= 1 and 0 <= quality["copy_rate"] <= 1
    assert 0 <= quality["label_fidelity"] <= 1 and quality["judged_samples"] == summary["samples"]
    assert quality["lines_produced"] >= summary["samples"]
    assert sum(quality["rejected"].values()) <= quality["lines_produced"]
    stats = last_json(run(["cache", "stats", "--json"], env))
    (group,) = stats["groups"]
    assert group["template"] == "list-v1" and group["quality"] == quality
    text = run(
        [
            "generate",
            "--dataset",
            "demo-tickets",
            "--class",
            "Security",
            "--limit",
            "5",
            "--backend",
            "local-lm",
            "--quiet",
        ],
        env,
    )
    assert "quality: kept rate" in text.output and "label fidelity" in text.output


def test_an_unknown_judge_is_a_one_line_error(tmp_path):
    bad = CliRunner(env={"AUTOGETS_CACHE_DIR": str(tmp_path)}).invoke(
        cli, ["generate", "--class", "Security", "--judge", "gpt9"]
    )
    assert bad.exit_code == 2 and "--judge 'gpt9' is not a model" in bad.output
