"""MOODS on Ray Tune: real searches on Ecoli, several runs on one Tuner, resuming an interrupted one."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import pytest
from ray.tune import Callback

from autogets_ray.errors import SearchInterrupted
from autogets_ray.moods.core import MoodsSettings
from autogets_ray.engine.journal import JOURNAL_FILE, TrialJournal
from autogets_ray.moods.tune_run import MoodsRun, run_dir, run_moods_tune
from autogets_ray.resources import ResourcesConfig

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


def one_run(split, settings=SETTINGS, run_id="moods_run0", seed=0):
    return MoodsRun(run_id, split, settings, seed)


@pytest.fixture(scope="module")
def full_run(ray_local, ecoli_split, tmp_path_factory):
    path = tmp_path_factory.mktemp("tune")
    outcomes = run_moods_tune([one_run(ecoli_split)], FAST_MLP, storage_path=path, name="full")
    return outcomes["moods_run0"], path


def test_tune_run_ends_at_least_as_good_as_its_start(full_run):
    outcome, path = full_run
    start = outcome.history[0]
    assert outcome.state.val.f1 >= start.val_f1
    assert outcome.state.val.f1_minority >= start.val_f1_minority
    assert len(outcome.history) == SETTINGS.max_candidates
    trials = [p for p in (path / "full").iterdir() if p.is_dir() and "_candidate_" in p.name]
    assert len(trials) == SETTINGS.max_candidates  # one Tune trial per candidate step
    rounds = [h.round for h in outcome.history]
    assert rounds.count(1) == 2  # K = 2 steps from the same state
    assert {h.device for h in outcome.history} == {"cpu"}
    import numpy as np

    saved = sorted(run_dir(path, "moods_run0").glob("candidate_*.npz"))
    assert len(saved) == SETTINGS.max_candidates
    for candidate in saved:  # cold fits: no later fit reads a model's weights, so none are kept
        with np.load(candidate) as data:
            assert not any(key.startswith("weight_") for key in data.files)


def test_interrupted_run_resumes_to_the_same_result(full_run, ray_local, ecoli_split, tmp_path):
    with pytest.raises(Exception, match="simulated interruption"):
        run_moods_tune(
            [one_run(ecoli_split)],
            FAST_MLP,
            storage_path=tmp_path,
            name="cut",
            callbacks=[InterruptAfter(3, tmp_path / "interrupted")],
        )
    assert not (run_dir(tmp_path, "moods_run0") / "search_state.json").exists()
    finished_before = len(TrialJournal(tmp_path / JOURNAL_FILE).results())
    assert finished_before >= 3
    resumed = run_moods_tune([one_run(ecoli_split)], FAST_MLP, storage_path=tmp_path, name="cut")[
        "moods_run0"
    ]
    full, _ = full_run
    assert [h.candidate_id for h in resumed.history] == list(range(SETTINGS.max_candidates))
    assert [(h.val_f1, h.accepted) for h in resumed.history] == [(h.val_f1, h.accepted) for h in full.history]
    assert resumed.state.test == full.state.test
    journal = TrialJournal(tmp_path / JOURNAL_FILE)
    assert journal.retrained() == []  # the steps finished before the interruption were not trained again
    assert len(journal.results()) == SETTINGS.max_candidates
    assert (run_dir(tmp_path, "moods_run0") / "search_state.json").exists()


def test_ray_and_local_engines_agree(full_run, ecoli_split):
    """The Tune layer adds nothing to the algorithm: same seed, same steps, same result."""
    from autogets_ray.moods.local import run_moods_local

    outcome, _ = full_run
    local = run_moods_local(ecoli_split, SETTINGS, FAST_MLP, seed=0)
    assert [(h.val_f1, h.val_f1_minority, h.accepted) for h in local.history] == [
        (h.val_f1, h.val_f1_minority, h.accepted) for h in outcome.history
    ]
    assert local.state.test == outcome.state.test


def test_several_runs_share_one_tuner_and_each_matches_its_run_alone(full_run, ray_local, tmp_path):
    """MOODS and MUBO runs of two seeds interleave on one Tuner; every run proposes and accepts
    exactly what it would alone, and a later call with one more run only runs that one."""
    from autogets_ray.data.tabular import load_tabular
    from autogets_ray.moods.baselines import mubo_settings
    from autogets_ray.moods.local import run_moods_local
    from autogets_ray.moods.split import split_tabular

    data = load_tabular("ecoli")
    splits = {seed: split_tabular(data, seed=seed) for seed in (0, 1)}
    runs = [
        one_run(splits[0]),
        one_run(splits[1], run_id="moods_run1", seed=1),
        one_run(splits[0], mubo_settings(SETTINGS), run_id="mubo_run0"),
    ]
    outcomes = run_moods_tune(runs, FAST_MLP, storage_path=tmp_path, name="shared")
    trial_dirs = [p.name for p in (tmp_path / "shared").iterdir() if p.is_dir() and "_candidate_" in p.name]
    assert {name.split("_candidate_")[0] for name in trial_dirs} == {"moods_run0", "moods_run1", "mubo_run0"}
    full, _ = full_run
    assert [(h.val_f1, h.accepted) for h in outcomes["moods_run0"].history] == [
        (h.val_f1, h.accepted) for h in full.history
    ]
    for run in runs[1:]:
        alone = run_moods_local(run.split, run.settings, FAST_MLP, seed=run.seed)
        assert [(h.val_f1, h.val_f1_minority, h.accepted) for h in outcomes[run.run_id].history] == [
            (h.val_f1, h.val_f1_minority, h.accepted) for h in alone.history
        ]
    assert all(h.added_synthetic == 0 for h in outcomes["mubo_run0"].history)

    more = [*runs, one_run(splits[1], mubo_settings(SETTINGS), run_id="mubo_run1", seed=1)]
    again = run_moods_tune(more, FAST_MLP, storage_path=tmp_path, name="shared")
    assert again["moods_run1"].history == outcomes["moods_run1"].history  # replayed, not rerun
    journal = TrialJournal(tmp_path / JOURNAL_FILE)
    assert journal.retrained() == []
    later = {e["search_id"] for e in journal.entries("trial") if e["attempt"] == 2}
    assert later == {"mubo_run1"}  # the rerun trained only the new run


class SigintAfter(Callback):
    """Ctrl-C once the first trial has finished (once: Tune restores callbacks with the experiment)."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def on_step_begin(self, iteration, trials, **info):
        if any(t.status == "TERMINATED" for t in trials) and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_is_reported_as_an_interruption_and_resumes(full_run, ray_local, ecoli_split, tmp_path):
    """Tune returns normally on Ctrl-C: the unfinished run is reported, and the next call finishes it."""
    with pytest.raises(SearchInterrupted, match="moods_run0"):
        run_moods_tune(
            [one_run(ecoli_split)],
            FAST_MLP,
            storage_path=tmp_path,
            name="sig",
            callbacks=[SigintAfter(tmp_path / "sent")],
        )
    outcome = run_moods_tune([one_run(ecoli_split)], FAST_MLP, storage_path=tmp_path, name="sig")[
        "moods_run0"
    ]
    full, _ = full_run
    assert [(h.val_f1, h.accepted) for h in outcome.history] == [(h.val_f1, h.accepted) for h in full.history]


def test_a_gpu_share_the_cluster_cannot_grant_is_refused(ray_local, ecoli_split, tmp_path):
    with pytest.raises(ValueError, match="GPU"):
        run_moods_tune(
            [one_run(ecoli_split)], FAST_MLP, storage_path=tmp_path, resources=ResourcesConfig(cpu=1, gpu=0.5)
        )
    with pytest.raises(ValueError, match="ask for at most 2"):
        run_moods_tune(
            [one_run(ecoli_split)], FAST_MLP, storage_path=tmp_path, resources=ResourcesConfig(cpu=3)
        )


def test_a_failing_start_stops_the_run_with_a_clear_error(ray_local, ecoli_split, tmp_path):
    broken = replace(ecoli_split, X_train=ecoli_split.X_train[:, :2])  # rows no longer match the val features
    with pytest.raises(Exception, match="start S_0 failed"):
        run_moods_tune([one_run(broken)], FAST_MLP, storage_path=tmp_path, name="broken")


@pytest.mark.parametrize("folds", [0, 3])
def test_warm_started_loss_se_run_on_ray_matches_the_local_loop(ray_local, ecoli_split, tmp_path, folds):
    """Weights (one set per fold under k folds) and per-row validation losses travel through the
    trials' files unchanged; a k-fold run's kept model is fitted after the search."""
    from autogets_ray.data.tabular import load_tabular
    from autogets_ray.moods.local import run_moods_local
    from autogets_ray.moods.split import split_tabular

    split = split_tabular(load_tabular("ecoli"), seed=0, folds=folds) if folds else ecoli_split
    settings = MoodsSettings(steps_per_round=2, max_candidates=5, acceptance="loss-se", warm_start=True)
    mlp = replace(FAST_MLP, warm_max_updates=40)
    on_ray = run_moods_tune([one_run(split, settings)], mlp, storage_path=tmp_path, name="warm")["moods_run0"]
    local = run_moods_local(split, settings, mlp, seed=0)
    assert [(h.val_f1, h.val_loss, h.accepted) for h in on_ray.history] == [
        (h.val_f1, h.val_loss, h.accepted) for h in local.history
    ]
    assert on_ray.state.weights is not None and on_ray.state.val_rows is not None
    assert on_ray.state.test == local.state.test and on_ray.state.test.f1 == on_ray.state.test.f1  # not NaN
