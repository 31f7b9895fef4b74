"""Run MOODS searches as one Ray Tune experiment, or resume an interrupted one (Tuner.restore).

Every seeded run of an experiment (MOODS, and MUBO, which is the same outer loop without synthetic
rows) is a core of one :class:`MoodsSearcher` on one Tuner, so a cluster runs the steps of several
runs side by side. DESIGN.md §7: ``ray.tune.report``, ``tune.RunConfig``, ``num_samples=-1`` with a
searcher that returns FINISHED, ``reuse_actors=True``, an empty ``param_space``; the splits go to the
object store once through ``tune.with_parameters``. Tune's own progress table is silenced (it
prints a meaningless trial count for ``num_samples=-1``); the searcher prints one line per round.
"""
from __future__ import annotations

import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from autogets_ray.errors import SearchInterrupted
from autogets_ray.moods.core import MoodsCore, MoodsOutcome, MoodsSettings
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.step import evaluate_candidate
from autogets_ray.moods.tune_searcher import (
    OUTCOME_FILE,
    MoodsSearcher,
    candidate_file,
    candidate_from_config,
    load_outcome,
    load_state,
    state_file,
)
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
def _cached_state(path: str):
    return load_state(path)


def moods_trial(config: dict[str, Any], splits: dict[int, TabularSplit], mlp: MLPConfig) -> None:
    """Trainable: evaluate one candidate step of run ``config["run_id"]`` and report its F1s."""
    from ray import tune

    candidate = candidate_from_config(config)
    split = splits[int(config["split_seed"])]
    state = _cached_state(str(state_file(config["work_dir"], candidate.state_version)))
    minority_idx = np.flatnonzero(split.y_train == 1)
    granted = granted_trial_resources()
    if granted["trial_gpu"] > 0:  # "auto": a logical GPU without CUDA trains on CPU, reported below
        mlp = mlp.on_device("auto")
    result = evaluate_candidate(split, minority_idx, state, candidate, mlp, int(config["model_seed"]))
    out = candidate_file(config["work_dir"], candidate.candidate_id)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, synthetic_new=result.synthetic_new, z_train=result.z_train)
    tmp.replace(out)
    tune.report({
        "run_id": config["run_id"], "candidate_id": candidate.candidate_id, "round": candidate.round,
        **result.val.as_dict("val_"), "val_loss": result.val_loss, **result.test.as_dict("test_"),
        "added_majority": len(candidate.add_majority), "added_synthetic": len(result.synthetic_new),
        "seconds": result.seconds, "model_device": result.device, "candidate_file": str(out),
        **granted,
    })


def trial_dirname(trial) -> str:
    """``<run id>_candidate_<id>`` instead of Tune's default name built from the (long) config."""
    return f"{trial.config['run_id']}_candidate_{trial.config['candidate_id']}_{trial.trial_id}"


def outcome_path(storage_path: str | Path, run_id: str) -> Path:
    return Path(storage_path).resolve() / "runs" / run_id / OUTCOME_FILE


def _held_runs_file(storage_path: Path, experiment_name: str) -> Path:
    return storage_path / f"{experiment_name}.runs.json"


def run_moods_tune(runs: Sequence[MoodsRun], mlp: MLPConfig, storage_path: str | Path, name: str = "moods",
                   progress: Progress | None = None, callbacks: list | None = None,
                   resources: ResourcesConfig = ResourcesConfig()) -> dict[str, MoodsOutcome]:
    """Every run (Alg. 1 each) on one Tune experiment ``storage_path/name``; returns run id -> outcome.

    Finished runs keep their outcome under ``storage_path/runs/<run id>/`` and are not run again;
    an interrupted experiment resumes with Tuner.restore. Runs that the earlier experiment does not
    hold (say, more runs asked for later) go to a fresh one, ``name-1``, ``name-2``, ...
    Raises :class:`SearchInterrupted` when Tune stops before the experiment's runs have finished.
    """
    import ray
    from ray import tune

    if len({r.run_id for r in runs}) != len(runs):
        raise ValueError("MOODS run ids must be unique")
    storage_path = Path(storage_path).resolve()
    resources.check_grantable(ray.cluster_resources(), "--cpus-per-trial / --gpus-per-trial", strict=not joined_cluster())
    splits: dict[int, TabularSplit] = {}
    for r in runs:  # trials find their split by seed: one split per seed
        if splits.setdefault(r.split.seed, r.split) is not r.split:
            raise ValueError(f"MOODS run {r.run_id}: another run brings a different split with seed {r.split.seed}")
    trainable = tune.with_resources(tune.with_parameters(moods_trial, splits=splits, mlp=mlp), resources.as_ray())
    # The legacy reporter honours verbose=0; the new one still prints a box whose trial count is
    # 2**63 - 1 for num_samples=-1. The searcher prints one progress line per round instead.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")

    def missing() -> list[MoodsRun]:
        return [r for r in runs if not outcome_path(storage_path, r.run_id).exists()]

    for attempt in itertools.count():
        todo = missing()
        if not todo:
            break
        experiment_name = name if attempt == 0 else f"{name}-{attempt}"
        experiment = storage_path / experiment_name
        held_file = _held_runs_file(storage_path, experiment_name)
        held = json.loads(held_file.read_text()) if held_file.exists() else None
        if held is not None and not {r.run_id for r in todo} & set(held):
            continue  # that experiment finished its runs; the missing ones go to the next name
        if held is not None and tune.Tuner.can_restore(str(experiment)):
            if progress:
                progress.info(f"resuming the interrupted MOODS experiment in {experiment}")
            tune.Tuner.restore(str(experiment), trainable=trainable, resume_unfinished=True,
                               resume_errored=True).fit()
        else:  # new, or stopped before Tune saved its first state: start its runs afresh
            mine = todo if held is None else [r for r in todo if r.run_id in held]
            held = [r.run_id for r in mine]
            held_file.parent.mkdir(parents=True, exist_ok=True)
            held_file.write_text(json.dumps(held))
            cores = {r.run_id: MoodsCore(r.split.y_train, r.split.X_train.shape[1], r.settings, seed=r.seed)
                     for r in mine}
            tags = {r.run_id: {"split_seed": r.split.seed, "model_seed": r.seed} for r in mine}
            tune.Tuner(
                trainable,
                param_space={},
                tune_config=tune.TuneConfig(
                    search_alg=MoodsSearcher(cores, storage_path / "runs", tags=tags, progress=progress),
                    num_samples=-1, reuse_actors=True, trial_dirname_creator=trial_dirname,
                    max_concurrent_trials=sum(r.settings.steps_per_round for r in mine)),
                run_config=tune.RunConfig(name=experiment_name, storage_path=str(storage_path), verbose=0,
                                          callbacks=callbacks, log_to_file=True),
            ).fit()
        unfinished = [rid for rid in held if not outcome_path(storage_path, rid).exists()]
        if unfinished:
            raise SearchInterrupted(f"the MOODS experiment {experiment} stopped before run(s) "
                                    f"{', '.join(unfinished)} finished; finished steps are saved",
                                    out=str(storage_path))
    return {r.run_id: load_outcome(outcome_path(storage_path, r.run_id).parent) for r in runs}
