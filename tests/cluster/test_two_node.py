"""A real 2-node Ray cluster on localhost: a CPU head and a worker declaring one logical GPU.

A small search with fractional-GPU trials (gpu: 0.5) must run every trial on the GPU node.
The nodes are started with ``ray start --block`` and stopped through those processes only (never
``ray stop``, which would kill every Ray instance on the machine).
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

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

NODES_SCRIPT = (
    "import json, ray; ray.init(address='{address}', log_to_driver=False); "
    "print(json.dumps([{{'id': n['NodeID'], 'gpu': n['Resources'].get('GPU', 0)}} for n in ray.nodes() if n['Alive']]))"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nodes(address: str, env: dict) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-c", NODES_SCRIPT.format(address=address)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (
        json.loads(proc.stdout.strip().splitlines()[-1])
        if proc.returncode == 0 and proc.stdout.strip()
        else []
    )


@pytest.fixture
def two_node_cluster():
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    port = _free_port()
    address = f"127.0.0.1:{port}"
    temp_dir = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths have a length limit
    head = subprocess.Popen(
        [
            "ray",
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=1",
            "--num-gpus=0",
            "--include-dashboard=false",
            f"--temp-dir={temp_dir}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [head]
    try:
        deadline = time.monotonic() + 120
        while not _nodes(address, env):
            assert head.poll() is None and time.monotonic() < deadline, "the head node did not start"
            time.sleep(2)
        worker = subprocess.Popen(
            ["ray", "start", "--block", f"--address={address}", "--num-cpus=2", "--num-gpus=1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(worker)
        while len(nodes := _nodes(address, env)) < 2:
            assert worker.poll() is None and time.monotonic() < deadline, "the worker node did not join"
            time.sleep(2)
        yield address, env, nodes
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_fractional_gpu_trials_land_on_the_gpu_node(two_node_cluster, tmp_path):
    address, env, nodes = two_node_cluster
    gpu_nodes = {n["id"] for n in nodes if n["gpu"] > 0}
    assert len(nodes) == 2 and len(gpu_nodes) == 1
    out = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            "search",
            "--out",
            str(out),
            "--quiet",
            "--set",
            "target_classes=[Security]",
            "--set",
            "strategies=[random]",
            "--set",
            "max_candidates=6",
            "--set",
            "resources.cpu=1",
            "--set",
            "resources.gpu=0.5",
        ],
        env={**env, "RAY_ADDRESS": address, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 6
    assert set(trials["node_id"]) == gpu_nodes
    assert set(trials["trial_gpu"]) == {0.5}
