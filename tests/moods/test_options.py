"""MoodsOptions: one typed, validated place for MOODS's defaults."""

from __future__ import annotations

import dataclasses
import re

import pytest

from autogets_ray.errors import UserInputError
from autogets_ray.moods.core import MoodsSettings
from autogets_ray.moods.experiment import ExperimentSpec
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.options import MoodsExperimentOptions, MoodsOptions, default, methods
from autogets_ray.moods.sampler import MOODSSampler


def test_the_options_build_the_core_settings_with_the_same_defaults():
    options = MoodsOptions()
    assert options.settings() == MoodsSettings()
    assert options.mlp() == MLPConfig()
    assert ExperimentSpec() == MoodsExperimentOptions().spec()


def test_the_sampler_reads_its_defaults_from_the_options():
    params = MOODSSampler().get_params()
    for name in MoodsOptions.model_fields:
        assert params[name] == default(name, MoodsOptions), name


def test_options_build_a_spec():
    options = MoodsExperimentOptions.build(
        methods=("moods", "none"),
        runs=2,
        steps_per_round=1,
        acceptance="f1-both",
        cpus_per_trial=2.0,
        gpus_per_trial=0.5,
        max_updates=100,
        engine="local",
    )
    spec = options.spec()
    assert spec.methods == ("moods", "none") and spec.runs == 2 and spec.engine == "local"
    assert spec.settings == MoodsSettings(steps_per_round=1, acceptance="f1-both")
    assert spec.mlp == MLPConfig(max_updates=100, threads=2)
    assert dataclasses.asdict(spec.resources) == {"cpu": 2.0, "gpu": 0.5}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"steps_per_round": 0}, "steps_per_round: 0 must be >= 1"),
        ({"patience": "3"}, "patience: '3' is not an integer"),
        ({"max_candidates": 2.0}, "max_candidates: 2.0 is not an integer"),
        ({"acceptance": "nope"}, "acceptance: unknown acceptance rule 'nope'; choose from"),
        ({"rejection": "nope"}, "rejection: unknown rejection rule 'nope'"),
        ({"engine": "spark"}, "engine: unknown engine 'spark'; choose from ray, local"),
        ({"methods": ("moods", "magic")}, "methods: unknown method(s) magic"),
        ({"device": "tpu"}, "device: unknown device 'tpu'"),
        ({"gpus_per_trial": -1}, "gpus_per_trial: -1 must be >= 0"),
        ({"colour": 1}, "colour: unknown key (valid keys: steps_per_round,"),
    ],
)
def test_a_wrong_option_names_itself(values, message):
    with pytest.raises(UserInputError, match=re.escape(message)):
        MoodsExperimentOptions.build(**values)


def test_a_single_method_reads_as_a_list():
    assert MoodsExperimentOptions.build(methods="moods").methods == ("moods",)
    assert default("methods") == methods()
