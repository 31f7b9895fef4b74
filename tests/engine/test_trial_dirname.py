"""Trial directories: short names of search, candidate and trial id, not Tune's whole config."""

from __future__ import annotations

from types import SimpleNamespace

from autogets_ray.engine.run import DIRNAME_CHARS, short_trial_dirname


def trial(config: dict, trial_id: str = "2ea6ddbe") -> SimpleNamespace:
    return SimpleNamespace(config=config, trial_id=trial_id)


def test_a_trial_directory_names_its_search_candidate_and_trial():
    config = {"search_id": "Security-ga-cba", "candidate_id": "ga-g0-i13", "example_ids": list(range(200))}
    assert short_trial_dirname(trial(config)) == "Security-ga-cba-ga-g0-i13-2ea6ddbe"


def test_odd_characters_become_underscores_and_long_names_are_cut():
    name = short_trial_dirname(
        trial({"search_id": "Data base/x", "candidate_id": "sw-p0.1-w15 " + "y" * 200})
    )
    assert name.startswith("Data_base_x-sw-p0.1-w15_y") and name.endswith("-2ea6ddbe")
    assert len(name) == DIRNAME_CHARS + len("-2ea6ddbe")
    assert "/" not in name and " " not in name


def test_a_trial_without_those_fields_is_named_by_its_id():
    assert short_trial_dirname(trial({})) == "2ea6ddbe"
    assert short_trial_dirname(SimpleNamespace(config=None, trial_id="abc")) == "abc"
