"""Per-trial Ray resources: validation, the request Tune gets, and the up-front grantability check."""

from __future__ import annotations

import dataclasses
import re

import pytest

from autogets_ray.errors import UserInputError
from autogets_ray.resources import ResourcesConfig


def test_request_has_a_gpu_key_only_when_a_gpu_is_asked_for():
    assert ResourcesConfig(cpu=2).as_ray() == {"cpu": 2}
    assert ResourcesConfig(cpu=1, gpu=0.25).as_ray() == {"cpu": 1, "gpu": 0.25}


@pytest.mark.parametrize(
    "cpu,gpu,message",
    [
        (0, 0, "resources.cpu: 0 must be > 0"),
        (-1, 0, "resources.cpu: -1 must be > 0"),
        (1, -0.5, "resources.gpu: -0.5 must be >= 0"),
        ("abc", 0, "resources.cpu: 'abc' is not a number"),
        (1, True, "resources.gpu: True is not a number"),
    ],
)
def test_impossible_requests_are_refused(cpu, gpu, message):
    with pytest.raises(UserInputError, match=re.escape(message)):
        ResourcesConfig(cpu=cpu, gpu=gpu)


def test_an_unknown_resource_names_the_valid_ones():
    with pytest.raises(UserInputError, match=re.escape("resources.cpus: unknown key (valid keys: cpu, gpu)")):
        ResourcesConfig(cpus=2)


def test_it_stays_a_dataclass():
    assert dataclasses.asdict(ResourcesConfig(2)) == {"cpu": 2.0, "gpu": 0.0}
    assert dataclasses.replace(ResourcesConfig(), gpu=0.5).as_ray() == {"cpu": 1.0, "gpu": 0.5}


def test_a_request_the_cluster_cannot_grant_names_what_is_missing():
    cluster = {"CPU": 16.0, "GPU": 1.0, "memory": 1e11}
    ResourcesConfig(cpu=4, gpu=0.25).check_grantable(cluster)  # fits: no error
    with pytest.raises(
        ValueError, match="asks for 32 CPU, but the Ray cluster has 16 CPU in all; ask for at most 16"
    ):
        ResourcesConfig(cpu=32).check_grantable(cluster)
    with pytest.raises(
        ValueError,
        match=r"--gpus-per-trial: each trial asks for 0.5 GPU.*has 0 GPU in all; ask for at most 0 \(train on CPUs\)",
    ):
        ResourcesConfig(cpu=1, gpu=0.5).check_grantable({"CPU": 2.0}, "--gpus-per-trial")


def test_on_a_joined_cluster_a_short_request_only_warns(caplog):
    """A cluster we joined may still be adding nodes (the autoscaler): waiting is right there."""
    with caplog.at_level("WARNING", logger="autogets_ray.resources"):
        ResourcesConfig(cpu=1, gpu=1).check_grantable({"CPU": 4.0}, "resources (config)", strict=False)
    assert "asks for 1 GPU, but the Ray cluster has 0 GPU in all now; trials wait" in caplog.text
