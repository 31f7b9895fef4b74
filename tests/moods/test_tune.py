"""MOODS on Ray Tune: a real search on Ecoli, and resuming an interrupted one."""
from __future__ import annotations

import os

import pytest
from ray.tune import Callback

from autogets_ray.moods.core import MoodsSettings
from autogets_ray.moods.tune_run import run_moods_tune

from .conftest import FAST_MLP

pytestmark = pytest.mark.slow
SETTINGS = MoodsSettings(steps_per_round=2, max_candidates=5)


class InterruptAfter(Callback):
    """Aborts the experiment once ``n`` trials have finished (as a crash or Ctrl-C would).

    Tune pickles callbacks with the experiment and restores them, so it fires only once (marker).
    """

    def __init__(self, n: int, marker) -> None:
        self.n = n
        self.marker = str(marker)

    def on_step_begin(self, iteration, trials, **info):
        if sum(t.status == "TERMINATED" for t in trials) >= self.n and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            raise RuntimeError("simulated interruption")


@pytest.fixture(scope="module")
def full_run(ray_local, ecoli_split, tmp_path_factory):
    path = tmp_path_factory.mktemp("tune")
    return run_moods_tune(ecoli_split, SETTINGS, FAST_MLP, seed=0, storage_path=path, name="full"), path


def test_tune_run_ends_at_least_as_good_as_its_start(full_run):
    outcome, path = full_run
    start = outcome.history[0]
    assert outcome.state.val.f1 >= start.val_f1
    assert outcome.state.val.f1_minority >= start.val_f1_minority
    assert len(outcome.history) == SETTINGS.max_candidates
    trials = [p for p in (path / "full").iterdir() if p.is_dir() and p.name.startswith("candidate_")]
    assert len(trials) == SETTINGS.max_candidates  # one Tune trial per candidate step
    rounds = [h.round for h in outcome.history]
    assert rounds.count(1) == 2  # K = 2 steps from the same state


def test_interrupted_run_resumes_to_the_same_result(full_run, ray_local, ecoli_split, tmp_path):
    with pytest.raises(Exception, match="simulated interruption"):
        run_moods_tune(ecoli_split, SETTINGS, FAST_MLP, seed=0, storage_path=tmp_path, name="cut",
                       callbacks=[InterruptAfter(3, tmp_path / "interrupted")])
    assert not (tmp_path / "cut" / "moods" / "outcome.pkl").exists()
    resumed = run_moods_tune(ecoli_split, SETTINGS, FAST_MLP, seed=0, storage_path=tmp_path, name="cut")
    full, _ = full_run
    assert [h.candidate_id for h in resumed.history] == list(range(SETTINGS.max_candidates))
    assert [(h.val_f1, h.accepted) for h in resumed.history] == [(h.val_f1, h.accepted) for h in full.history]
    assert resumed.state.test == full.state.test


def test_ray_and_local_engines_agree(full_run, ecoli_split):
    """The Tune layer adds nothing to the algorithm: same seed, same steps, same result."""
    from autogets_ray.moods.local import run_moods_local

    outcome, _ = full_run
    local = run_moods_local(ecoli_split, SETTINGS, FAST_MLP, seed=0)
    assert [(h.val_f1, h.val_f1_minority, h.accepted) for h in local.history] == \
        [(h.val_f1, h.val_f1_minority, h.accepted) for h in outcome.history]
    assert local.state.test == outcome.state.test
