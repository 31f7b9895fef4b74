"""Run MOODS searches on the package's Ray Tune engine, or continue an interrupted experiment.

Every seeded run of an experiment (MOODS, and MUBO, which is the same outer loop without synthetic
rows) is one search of the engine's interleaver on one Tuner, so a cluster runs the steps of
several runs side by side. Each finished step is journaled (``storage_path/journal.jsonl``); a
rerun rebuilds the runs from their seeds and replays the journal, so no finished step is trained
again and runs that already finished need no trial at all. The splits go to the object store
once through ``tune.with_parameters``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from autogets_ray.engine.interleave import Interleaver
from autogets_ray.engine.journal import JOURNAL_FILE, TrialJournal
from autogets_ray.engine.run import run_searches
from autogets_ray.engine.searcher import JournaledSearcher, SearchHooks
from autogets_ray.errors import SearchInterrupted
from autogets_ray.moods.core import MoodsCore, MoodsOutcome, MoodsSettings, outcome_of
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.search import (
    METRIC,
    MoodsSearch,
    load_state,
    needs_rounds_first,
    result_from_report,
    save_candidate,
    state_file,
    step_from_config,
)
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.step import evaluate_step, finish_outcome
from autogets_ray.progress import Progress
from autogets_ray.ray_session import granted_trial_resources, joined_cluster
from autogets_ray.resources import ResourcesConfig


@dataclass(frozen=True)
class MoodsRun:
    """One Alg. 1 loop for the shared Tuner: its id, its split, its outer-loop settings and seed."""

    run_id: str
    split: TabularSplit
    settings: MoodsSettings
    seed: int


@lru_cache(maxsize=16)
def _cached_state(path: str, with_weights: bool):
    return load_state(path, with_weights)


def moods_trial(config: dict[str, Any], splits: dict[int, TabularSplit], mlp: MLPConfig) -> None:
    """Trainable: evaluate one candidate step of run ``config["run_id"]`` and report its F1s."""
    from ray import tune

    step = step_from_config(config)
    split = splits[int(config["split_seed"])]
    state = _cached_state(str(state_file(config["work_dir"], step.state_version)), step.warm_start)
    minority_idx = np.flatnonzero(split.y_train == 1)
    granted = granted_trial_resources()
    if granted["trial_gpu"] > 0:  # "auto": a logical GPU without CUDA trains on CPU, reported below
        mlp = mlp.on_device("auto")
    result = evaluate_step(split, minority_idx, state, step, mlp, int(config["model_seed"]))
    if not config.get("keep_weights", True):
        result = replace(result, weights=None)  # ~200 KB a model that no later fit reads
    out = save_candidate(result, config["work_dir"])
    tune.report(
        {
            "run_id": config["run_id"],
            "candidate_id": step.candidate_id,
            "round": step.round,
            **result.val.as_dict("val_"),
            "val_loss": result.val_loss,
            **result.test.as_dict("test_"),
            "added_majority": len(step.add_majority),
            "added_synthetic": len(result.synthetic_new),
            "seconds": result.seconds,
            "model_device": result.device,
            "candidate_file": str(out),
            **granted,
        }
    )


def trial_dirname(trial) -> str:
    """``<run id>_candidate_<id>`` instead of Tune's default name built from the (long) config."""
    return f"{trial.config['run_id']}_candidate_{trial.config['candidate_id']}_{trial.trial_id}"


def run_dir(storage_path: str | Path, run_id: str) -> Path:
    """Where a run keeps its states, step arrays and ``search_state.json``."""
    return Path(storage_path).resolve() / "runs" / run_id


class MoodsHooks(SearchHooks):
    """One progress line per closed round and per finished run; ``search_state.json`` per run."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or Progress(enabled=False)

    def on_told(self, search_id: str, core: Any, result: dict[str, Any] | None, replayed: bool) -> None:
        if replayed or core.closed_round is None:
            return
        moods = core.core
        results = core.closed_round
        best = max(results, key=lambda r: (r.val.f1, r.val.f1_minority))
        verdict = "accepted" if any(h.accepted for h in moods.history[-len(results) :]) else "rejected"
        verdict = "start S_0" if moods.round == 1 else verdict
        s = moods.settings
        size = len(moods.minority_idx) + len(moods.state.majority_idx) + len(moods.state.synthetic)
        self.progress.info(
            f"{search_id} round {moods.round - 1}: {len(results)} step(s), best val F1 {best.val.f1:.3f} / minority "
            f"{best.val.f1_minority:.3f} -> {verdict}; state F1 {moods.state.val.f1:.3f} / "
            f"{moods.state.val.f1_minority:.3f}, |S| = {size}, "
            f"accepted {moods.accepted}/{s.max_accepted}, evaluations {moods.evaluations}/{s.max_candidates}"
        )

    def on_finished(self, search_id: str, core: Any, reason: str | None) -> None:
        core.write_state(reason)
        moods = core.core
        self.progress.info(
            f"{search_id}: finished ({reason or core.state_summary()['finish_reason']}) after "
            f"{moods.evaluations} step(s), {moods.accepted} accepted"
        )

    def on_warning(self, message: str) -> None:
        self.progress.info(f"warning: {message}")


def run_moods_tune(
    runs: Sequence[MoodsRun],
    mlp: MLPConfig,
    storage_path: str | Path,
    name: str = "moods",
    progress: Progress | None = None,
    callbacks: list | None = None,
    resources: ResourcesConfig = ResourcesConfig(),
) -> dict[str, MoodsOutcome]:
    """Every run (Alg. 1 each) on one Tune experiment ``storage_path/name``; returns run id -> outcome.

    Finished steps are journaled in ``storage_path``; a later call with the same runs (and any new
    ones) replays them and runs only what is left. The model a k-fold run keeps is fitted here, in
    this process, once its search has finished (:func:`~autogets_ray.moods.step.finish_outcome`). Raises :class:`SearchInterrupted` when Tune
    stops before every run has finished.
    """
    import ray
    from ray import tune

    if len({r.run_id for r in runs}) != len(runs):
        raise ValueError("MOODS run ids must be unique")
    storage_path = Path(storage_path).resolve()
    resources.check_grantable(
        ray.cluster_resources(), "--cpus-per-trial / --gpus-per-trial", strict=not joined_cluster()
    )
    splits: dict[int, TabularSplit] = {}
    for r in runs:  # trials find their split by seed: one split per seed
        if splits.setdefault(r.split.seed, r.split) is not r.split:
            raise ValueError(
                f"MOODS run {r.run_id}: another run brings a different split with seed {r.split.seed}"
            )
    trainable = tune.with_resources(
        tune.with_parameters(moods_trial, splits=splits, mlp=mlp), resources.as_ray()
    )
    searches = {
        r.run_id: MoodsSearch(
            MoodsCore(r.split.y_train, r.split.X_train.shape[1], r.settings, seed=r.seed),
            run_dir(storage_path, r.run_id),
            r.run_id,
        )
        for r in runs
    }
    tags = {
        r.run_id: {
            "run_id": r.run_id,
            "split_seed": r.split.seed,
            "model_seed": r.seed,
            "work_dir": str(run_dir(storage_path, r.run_id)),
            "keep_weights": r.settings.warm_start,  # only warm starts read a model's weights
        }
        for r in runs
    }
    searcher = JournaledSearcher(
        Interleaver(searches, tags, priority=needs_rounds_first),
        TrialJournal(storage_path / JOURNAL_FILE),
        decode=result_from_report,
        metric=METRIC,
        hooks=MoodsHooks(progress),
    )
    run = run_searches(
        trainable,
        searcher,
        name=name,
        storage_path=str(storage_path),
        max_concurrent_trials=sum(r.settings.steps_per_round for r in runs),
        progress=progress or Progress(enabled=False),
        callbacks=callbacks or (),
        trial_dirname_creator=trial_dirname,
    )
    if run.interrupted:
        raise SearchInterrupted(
            f"the MOODS experiment {storage_path / name} stopped before run(s) "
            f"{', '.join(run.open_searches)} finished; finished steps are saved",
            out=str(storage_path),
        )
    final_mlp = mlp if mlp.device == "cpu" else mlp.on_device("auto")  # this process may lack a GPU
    return {
        r.run_id: finish_outcome(
            r.split, outcome_of(searches[r.run_id].core), final_mlp, r.seed, r.settings.synthetic
        )
        for r in runs
    }
