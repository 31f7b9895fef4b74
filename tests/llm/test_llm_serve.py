"""``autogets llm-serve``: llama.cpp behind a real Ray Serve app, answered by the real openai client.

The Ray-free parts (the vLLM config builder, option checks, the OpenAI routes over a loaded engine,
CLI errors) run in about a second; the ``slow`` ones start a local Ray with Serve.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from autogets_ray.llm.llamacpp import EngineOptions, LlamaCppEngine, locate_gguf
from autogets_ray.llm.serve_app import (
    DEPLOYMENT_NAME,
    LLM_INSTALL_HINT,
    OpenAIEndpoint,
    ServeOptions,
    deploy_vllm,
    llamacpp_deployment_options,
    model_name,
    vllm_llm_config,
)
from tests.conftest import start_local_ray

PROMPT = "Below are realistic support tickets, one per line.\n1. printer jams on the second page\n2."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def model_dir(tmp_path):
    (tmp_path / "tiny-llm").mkdir()
    (tmp_path / "tiny-llm" / "config.json").write_text("{}", encoding="utf-8")
    return tmp_path / "tiny-llm"


# --- the vLLM configuration (Ray-free) ---------------------------------------------------------


def test_a_fractional_gpu_is_one_placement_bundle_and_a_memory_share(model_dir):
    config = vllm_llm_config(
        str(model_dir),
        name="tiny",
        replicas=4,
        gpus_per_replica=0.5,
        accelerator_type="L4",
        context_size=2048,
    )
    assert config["model_loading_config"] == {"model_id": "tiny", "model_source": str(model_dir)}
    assert config["llm_engine"] == "vLLM" and config["accelerator_type"] == "L4"
    assert config["deployment_config"] == {"autoscaling_config": {"min_replicas": 4, "max_replicas": 4}}
    assert config["placement_group_config"] == {"bundles": [{"GPU": 0.5}]}
    assert config["engine_kwargs"] == {"max_model_len": 2048, "gpu_memory_utilization": 0.45}


def test_whole_gpus_are_tensor_parallelism_and_engine_kwargs_win(model_dir):
    one = vllm_llm_config(str(model_dir))
    assert "placement_group_config" not in one and one["engine_kwargs"] == {}
    assert one["model_loading_config"]["model_id"] == "tiny-llm" and "accelerator_type" not in one
    four = vllm_llm_config(str(model_dir), gpus_per_replica=4, engine_kwargs={"enforce_eager": True})
    assert four["engine_kwargs"] == {"tensor_parallel_size": 4, "enforce_eager": True}
    share = vllm_llm_config(
        str(model_dir), gpus_per_replica=0.25, engine_kwargs={"gpu_memory_utilization": 0.2}
    )
    assert share["engine_kwargs"]["gpu_memory_utilization"] == 0.2


def test_ray_serve_llm_accepts_the_built_config(model_dir):
    """Ray's own LLMConfig (``ray.serve.llm.LLMConfig`` subclasses it) validates our keyword args."""
    llm_config = pytest.importorskip("ray.llm._internal.serve.core.configs.llm_config")
    config = llm_config.LLMConfig(
        **vllm_llm_config(
            str(model_dir), name="tiny", replicas=2, gpus_per_replica=0.5, accelerator_type="A10G"
        )
    )
    assert config.model_id == "tiny" and config.accelerator_config.kind == "gpu"
    assert config.placement_group_config == {"bundles": [{"GPU": 0.5}]}
    with pytest.raises(ValueError, match="accelerator"):
        llm_config.LLMConfig(**vllm_llm_config(str(model_dir), accelerator_type="NoSuchGPU"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "/no/such/model"}, "local Hugging Face model directory"),
        ({"model": ""}, "local Hugging Face model directory"),
        ({"gpus_per_replica": 0}, r"must be in \(0, 8\]"),
        ({"gpus_per_replica": 9}, r"must be in \(0, 8\]"),
        ({"gpus_per_replica": 1.5}, "whole number"),
        ({"replicas": 0}, "replicas=0"),
        ({"context_size": 0}, "context_size=0"),
        ({"engine_kwargs": {"model": "x"}}, "set by --model"),
    ],
)
def test_bad_vllm_settings_are_value_errors(model_dir, changes, message):
    with pytest.raises(ValueError, match=message):
        vllm_llm_config(**{"model": str(model_dir), **changes})


def test_a_vllm_model_directory_needs_its_config_json(tmp_path):
    (tmp_path / "weights-only").mkdir()
    with pytest.raises(ValueError, match="config.json"):
        vllm_llm_config(str(tmp_path / "weights-only"))


def test_deploying_vllm_without_ray_llm_names_the_install(model_dir):
    try:
        import ray.serve.llm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("ray[llm] is installed here")
    with pytest.raises(ValueError, match=r'pip install "ray\[llm\]"') as caught:
        deploy_vllm(vllm_llm_config(str(model_dir)))
    assert LLM_INSTALL_HINT in str(caught.value)


# --- llama.cpp options and routes (Ray-free) ---------------------------------------------------


def test_serve_options_check_their_values_and_build_the_base_url():
    assert ServeOptions().base_url() == "http://127.0.0.1:8000/v1"
    assert ServeOptions(host="0.0.0.0", port=9000, route_prefix="/llm/").base_url("10.0.0.5") == (
        "http://10.0.0.5:9000/llm/v1"
    )
    for bad, message in [
        ({"replicas": 0}, "replicas"),
        ({"gpus_per_replica": 9}, "gpus_per_replica"),
        ({"cpus_per_replica": 0}, "cpus_per_replica"),
        ({"port": 0}, "port"),
        ({"route_prefix": "llm"}, "route_prefix"),
        ({"app_name": "a b"}, "app name"),
        ({"max_ongoing_requests": 0}, "max_ongoing_requests"),
    ]:
        with pytest.raises(ValueError, match=message):
            ServeOptions(**bad)
    options = llamacpp_deployment_options(
        ServeOptions(replicas=3, gpus_per_replica=0.5), EngineOptions(threads=2, parallel=4)
    )
    assert options == {
        "name": DEPLOYMENT_NAME,
        "num_replicas": 3,
        "max_ongoing_requests": 4,
        "ray_actor_options": {"num_cpus": 2.0, "num_gpus": 0.5},
    }


@pytest.fixture(scope="module")
def endpoint():
    engine = LlamaCppEngine(locate_gguf(), EngineOptions(parallel=3))
    engine.load()
    yield OpenAIEndpoint(engine, "smol")
    engine.close()


def test_routes_answer_openai_json_and_refuse_with_openai_errors(endpoint):
    assert endpoint.handle("GET", "/health") == (200, {"status": "ok", "model": "smol"})
    status, models = endpoint.handle("GET", "/v1/models/")
    assert status == 200 and [m["id"] for m in models["data"]] == ["smol"]
    cases = [
        ("GET", "/v1/nope", b"", 404, "no route"),
        ("GET", "/v1/chat/completions", b"", 405, "takes POST"),
        ("POST", "/v1/chat/completions", b"{not json", 400, "not JSON"),
        ("POST", "/v1/chat/completions", b"[]", 400, "JSON object"),
        ("POST", "/v1/chat/completions", b'{"messages": []}', 400, "messages"),
        ("POST", "/v1/completions", b'{"model": "smol"}', 400, "prompt"),
        ("POST", "/v1/completions", b'{"prompt": "a", "stream": true}', 400, "streaming"),
        ("POST", "/v1/completions", b'{"prompt": "a", "model": "gpt-4"}', 404, "serves 'smol'"),
        (
            "POST",
            "/v1/chat/completions",
            json.dumps({"messages": [{"role": "user", "content": "hi"}], "n": 9}).encode(),
            400,
            "llama.cpp refused",
        ),
    ]
    for method, path, body, expected, message in cases:
        status, reply = endpoint.handle(method, path, body)
        assert status == expected and message in reply["error"]["message"], (path, body, reply)
        assert set(reply["error"]) == {"message", "type", "param", "code"}


def test_a_completion_is_labelled_with_the_served_name(endpoint):
    body = {"model": "smol", "prompt": PROMPT, "n": 2, "stop": ["\n"], "max_tokens": 12, "seed": 3}
    status, reply = endpoint.handle("POST", "/v1/completions", json.dumps(body).encode())
    assert status == 200 and reply["model"] == "smol" and len(reply["choices"]) == 2


def test_the_model_name_defaults_to_the_file_stem():
    assert model_name("/m/SmolLM2-135M-Instruct.Q4_1.gguf") == "SmolLM2-135M-Instruct.Q4_1"
    assert model_name("/models/qwen2.5-7b/") == "qwen2.5-7b" and model_name("/x.gguf", "mine") == "mine"


# --- CLI argument errors (Ray-free: they fail before Ray starts) --------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--detach"], "--detach leaves the app on a running cluster"),
        (["--shutdown"], "--shutdown removes an app from a running cluster"),
        (["--engine", "vllm", "--model", "/no/such/dir"], "local Hugging Face model directory"),
        (["--engine", "vllm", "--threads", "2"], "--threads apply to --engine llamacpp only"),
        (["--accelerator-type", "L4"], "apply to --engine vllm only"),
        (["--model", "/tmp/not-a-model.bin"], "is not a .gguf file"),
        (["--replicas", "0"], "replicas=0"),
        (["--gpus-per-replica", "9"], "gpus_per_replica=9"),
        (["--threads", "0"], "threads=0"),
        (["--port", "70000"], "port=70000"),
        (["--route-prefix", "llm"], "must start with '/'"),
    ],
)
def test_bad_llm_serve_arguments_exit_2_with_one_line(monkeypatch, args, message):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    result = CliRunner().invoke(cli, ["llm-serve", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


# --- a real Serve deployment on a local Ray (slow) ---------------------------------------------


@pytest.mark.slow
def test_the_command_serves_until_interrupted_and_then_removes_the_app(tmp_path):
    """The real console flow in its own process: the URL on stdout, Ctrl-C removes the app."""
    port = free_port()
    env = {**os.environ, "RAY_worker_niceness": "0"}
    env.pop("RAY_ADDRESS", None)
    with open(tmp_path / "stderr.txt", "w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autogets_ray.cli.main",
                "llm-serve",
                "--port",
                str(port),
                "--app-name",
                "cli-test",
                "--parallel",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            base_url = process.stdout.readline().strip()
            assert base_url == f"http://127.0.0.1:{port}/v1", (tmp_path / "stderr.txt").read_text()
            with urllib.request.urlopen(f"{base_url}/models", timeout=10) as response:
                assert json.load(response)["data"][0]["id"] == "SmolLM2-135M-Instruct.Q4_1"
            time.sleep(1.5)  # past the hints, into the serving loop
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()
    stderr = (tmp_path / "stderr.txt").read_text()
    assert (
        f'--backend openai --model SmolLM2-135M-Instruct.Q4_1 --base-url {base_url} --api-key-env ""'
        in stderr
    )
    assert (
        f"generation: {{backend: openai, model: SmolLM2-135M-Instruct.Q4_1, base_url: {base_url}, "
        f'api_key_env: ""}}' in stderr
    )
    assert "removed 'cli-test'" in stderr


@pytest.mark.slow
def test_detach_leaves_the_app_on_a_cluster_and_shutdown_removes_it():
    """A real ``ray start`` head: the app outlives the deploying command until ``--shutdown``."""
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "disabled",
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_worker_niceness": "0",
    }
    env.pop("RAY_ADDRESS", None)
    gcs_port, http_port = free_port(), free_port()
    address = f"127.0.0.1:{gcs_port}"
    temp_dir = tempfile.mkdtemp(prefix="rs", dir="/tmp")  # short: Ray's socket paths have a length limit
    head = subprocess.Popen(
        [
            "ray",
            "start",
            "--head",
            "--block",
            f"--port={gcs_port}",
            "--num-cpus=1",
            "--include-dashboard=false",
            f"--temp-dir={temp_dir}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while socket.socket().connect_ex(("127.0.0.1", gcs_port)) != 0:
            assert head.poll() is None and time.monotonic() < deadline, "the head node did not start"
            time.sleep(1)
        command = [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "llm-serve",
            "--address",
            address,
            "--app-name",
            "detached",
            "--port",
            str(http_port),
        ]
        deployed = subprocess.run(
            [*command, "--detach"], check=False, env=env, capture_output=True, text=True, timeout=240
        )
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        base_url = deployed.stdout.strip().splitlines()[-1]
        assert "llm-serve --shutdown --app-name detached" in deployed.stderr
        with urllib.request.urlopen(f"{base_url}/models", timeout=10) as response:  # the command has exited
            assert json.load(response)["data"][0]["id"] == "SmolLM2-135M-Instruct.Q4_1"
        removed = subprocess.run(
            [*command, "--shutdown"], check=False, env=env, capture_output=True, text=True, timeout=120
        )
        assert removed.returncode == 0 and "removed 'detached' from the cluster" in removed.stderr
        with pytest.raises(urllib.error.HTTPError):  # the proxy stays, the route is gone
            urllib.request.urlopen(f"{base_url}/models", timeout=10)
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=90)
        except subprocess.TimeoutExpired:
            head.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two llama.cpp replicas (one CPU each) behind Serve on a fresh local Ray with 4 logical CPUs
    (two for the replicas, two for a search's trials)."""
    import ray

    from autogets_ray.llm.serve_app import deploy_llamacpp, shutdown_serve

    os.environ.setdefault("RAY_worker_niceness", "0")  # see autogets_ray.ray_session.ensure_ray
    start_local_ray(num_cpus=4)
    options = ServeOptions(replicas=2, port=free_port(), app_name="test-llm", route_prefix="/llm")
    try:
        base_url = deploy_llamacpp(name="smol", engine=EngineOptions(parallel=3), options=options)
        yield base_url
    finally:
        shutdown_serve()
        ray.shutdown()


@pytest.fixture
def client(served):
    import openai

    with openai.OpenAI(base_url=served, api_key="x", max_retries=0, timeout=60) as client:
        yield client


@pytest.mark.slow
def test_both_replicas_run_and_the_url_carries_the_route_prefix(served):
    from ray import serve

    assert served.endswith("/llm/v1")
    deployment = serve.status().applications["test-llm"].deployments[DEPLOYMENT_NAME]
    assert deployment.replica_states.get("RUNNING") == 2


@pytest.mark.slow
def test_the_openai_client_lists_the_model_and_chats(client):
    assert [m.id for m in client.models.list().data] == ["smol"]
    reply = client.chat.completions.create(
        model="smol",
        messages=[{"role": "user", "content": "Name one computer part."}],
        max_tokens=16,
        temperature=0.7,
        seed=1,
    )
    assert reply.model == "smol" and reply.choices[0].message.content.strip()
    assert reply.usage.completion_tokens > 0


@pytest.mark.slow
def test_completions_with_several_choices_stop_at_the_line_end(client):
    reply = client.completions.create(
        model="smol", prompt=PROMPT, n=3, stop=["\n"], max_tokens=24, temperature=0.8, seed=5
    )
    assert len(reply.choices) == 3 and sorted(c.index for c in reply.choices) == [0, 1, 2]
    assert all("\n" not in c.text for c in reply.choices) and any(c.text.strip() for c in reply.choices)


@pytest.mark.slow
def test_a_refused_request_is_a_400_and_another_model_a_404(client):
    import openai

    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(openai.APIStatusError) as refused:
        client.chat.completions.create(model="smol", messages=messages, n=9)
    assert refused.value.status_code == 400 and "llama.cpp refused" in refused.value.message
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-3.5-turbo", messages=messages, max_tokens=4)
    assert "serves 'smol'" in missing.value.message


@pytest.mark.slow
def test_the_generator_makes_samples_through_serve(served, demo_split, tmp_path):
    from autogets_ray.llm import GenerationConfig, build_generator
    from autogets_ray.llm.data import class_training_examples

    examples = class_training_examples(demo_split, "Security", limit=3)
    config = GenerationConfig(
        backend="openai",
        model="smol",
        base_url=served,
        api_key_env="",
        cache_dir=str(tmp_path),
        max_tokens=160,
        max_retries=2,
        backoff_base_s=0.1,
    )
    with build_generator(config) as gen:
        result = gen.generate(examples)
        again = gen.generate(examples)
    assert len(result.samples) > 0 and set(result.samples["source_id"]) <= {ex.example_id for ex in examples}
    assert result.counters["backend_calls"] >= len(examples) - len(result.errors)
    assert again.counters["backend_calls"] == len(result.errors)


@pytest.mark.slow
def test_a_short_search_gets_its_samples_through_serve(served, tmp_path, monkeypatch):
    """The cluster flow on a local Ray: llm-serve's endpoint feeds a search's trials."""
    import pandas as pd

    from autogets_ray.experiment.config import load_config
    from autogets_ray.experiment.runner import run_experiment
    from autogets_ray.progress import Progress

    monkeypatch.setenv("AUTOGETS_CACHE_DIR", str(tmp_path / "cache"))
    config = load_config(
        overrides=[
            "target_classes=[Security]",
            "strategies=[random]",
            "max_candidates=2",
            "max_concurrent_trials=1",
            "llm.backend=openai",
            "llm.model=smol",
            f"llm.base_url={served}",
            "llm.api_key_env=''",
            "llm.template=list",
            "llm.samples_per_example=2",
            "llm.max_retries=2",
            "baselines=[m0]",
        ]
    )
    run_experiment(config, tmp_path / "out", progress=Progress(enabled=False))
    trials = pd.read_parquet(tmp_path / "out" / "trials.parquet")
    assert len(trials) == 2 and (trials["n_synthetic"] > 0).all()
    assert (trials["llm_failures"] == 0).all() and trials["llm_backend_calls"].sum() > 0
