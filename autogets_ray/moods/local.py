"""MOODS without Ray: the ask/tell core driven by a plain loop in this process.

With a ``checkpoint`` path the core (its accepted state, draw probabilities, rng and history) is
pickled there after every closed round, written whole or not at all, so a run killed mid-way
resumes from its last closed round and proposes, fits and accepts exactly what it would have.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autogets_ray.moods.core import MoodsCore, MoodsOutcome, MoodsSettings, outcome_of
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.split import TabularSplit
from autogets_ray.moods.step import evaluate_step, finish_outcome


def run_moods_local(
    split: TabularSplit,
    settings: MoodsSettings,
    mlp: MLPConfig,
    seed: int,
    on_round: Callable[[MoodsCore], None] | None = None,
    checkpoint: str | Path | None = None,
) -> MoodsOutcome:
    """Alg. 1 end to end, then the kept model (:func:`finish_outcome`); ``on_round`` is called after
    every closed round (progress lines); ``checkpoint`` makes the run resumable (module docstring)."""
    core = read_pickle(Path(checkpoint)) if checkpoint is not None else None
    if core is None:
        core = MoodsCore(split.y_train, split.X_train.shape[1], settings, seed=seed)
    elif core.settings != settings:
        raise ValueError(f"the checkpoint {checkpoint} is of a run with other settings")
    while True:
        batch = core.propose()
        if not batch:
            break
        state = core.state
        core.observe([evaluate_step(split, core.minority_idx, state, c, mlp, model_seed=seed) for c in batch])
        if checkpoint is not None:
            write_pickle(core, Path(checkpoint))
        if on_round is not None:
            on_round(core)
    return finish_outcome(split, outcome_of(core), mlp, seed, settings.synthetic)


def read_pickle(path: Path) -> Any:
    """What :func:`write_pickle` wrote to ``path``; None when nothing was."""
    if not path.exists():
        return None
    with open(path, "rb") as handle:
        return pickle.load(handle)


def write_pickle(value: object, path: Path) -> None:
    """Pickle ``value`` to ``path`` whole or not at all (a kill never leaves half a file behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(value, handle)
    tmp.replace(path)
