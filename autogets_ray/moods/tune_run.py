"""Run one MOODS search as a Ray Tune experiment, or resume an interrupted one (Tuner.restore).

DESIGN.md §7: ``ray.tune.report``, ``tune.RunConfig``, ``num_samples=-1`` with a searcher that
returns FINISHED, ``reuse_actors=True``, an empty ``param_space``; the split goes to the object
store once through ``tune.with_parameters``. Tune's own progress table is silenced (it prints a
meaningless trial count for ``num_samples=-1``); the searcher prints one line per round instead.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from autogets_ray.moods.core import MoodsCore, MoodsOutcome, MoodsSettings
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.step import evaluate_candidate
from autogets_ray.moods.tune_searcher import (
    MoodsSearcher,
    candidate_file,
    candidate_from_config,
    load_outcome,
    load_state,
    state_file,
)
from autogets_ray.progress import Progress


@lru_cache(maxsize=4)
def _cached_state(path: str):
    return load_state(path)


def moods_trial(config: dict[str, Any], split: TabularSplit, mlp: MLPConfig, model_seed: int) -> None:
    """Trainable: evaluate one candidate step and report its validation (and test) F1s."""
    from ray import tune

    candidate = candidate_from_config(config)
    state = _cached_state(str(state_file(config["work_dir"], candidate.state_version)))
    minority_idx = np.flatnonzero(split.y_train == 1)
    result = evaluate_candidate(split, minority_idx, state, candidate, mlp, model_seed)
    out = candidate_file(config["work_dir"], candidate.candidate_id)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, synthetic_new=result.synthetic_new, z_train=result.z_train)
    tmp.replace(out)
    tune.report({
        "candidate_id": candidate.candidate_id, "round": candidate.round,
        **result.val.as_dict("val_"), "val_loss": result.val_loss, **result.test.as_dict("test_"),
        "added_majority": len(candidate.add_majority), "added_synthetic": len(result.synthetic_new),
        "seconds": result.seconds, "candidate_file": str(out),
    })


def trial_dirname(trial) -> str:
    """``candidate_<id>`` instead of Tune's default name built from the (long) config."""
    return f"candidate_{trial.config['candidate_id']}_{trial.trial_id}"


def run_moods_tune(split: TabularSplit, settings: MoodsSettings, mlp: MLPConfig, seed: int,
                   storage_path: str | Path, name: str, progress: Progress | None = None,
                   callbacks: list | None = None, resume: bool = True) -> MoodsOutcome:
    """One MOODS run (Alg. 1) as a Tune experiment ``storage_path/name``; resumes it if interrupted."""
    from ray import tune

    storage_path = Path(storage_path).resolve()
    experiment = storage_path / name
    work_dir = experiment / "moods"
    if resume and (work_dir / "outcome.pkl").exists():
        return load_outcome(work_dir)
    trainable = tune.with_resources(
        tune.with_parameters(moods_trial, split=split, mlp=mlp, model_seed=seed), {"cpu": 1})
    if resume and tune.Tuner.can_restore(str(experiment)):
        if progress:
            progress.info(f"resuming the interrupted MOODS run in {experiment}")
        tuner = tune.Tuner.restore(str(experiment), trainable=trainable, resume_unfinished=True,
                                   resume_errored=True)
    else:
        core = MoodsCore(split.y_train, split.X_train.shape[1], settings, seed=seed)
        searcher = MoodsSearcher(core, work_dir, progress=progress)
        tuner = tune.Tuner(
            trainable,
            param_space={},
            tune_config=tune.TuneConfig(search_alg=searcher, num_samples=-1, reuse_actors=True,
                                        max_concurrent_trials=settings.steps_per_round,
                                        trial_dirname_creator=trial_dirname),
            run_config=tune.RunConfig(name=name, storage_path=str(storage_path), verbose=0,
                                      callbacks=callbacks, log_to_file=True),
        )
    # The legacy reporter honours verbose=0; the new one still prints a box whose trial count is
    # 2**63 - 1 for num_samples=-1. The searcher prints one progress line per round instead.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    tuner.fit()
    return load_outcome(work_dir)
