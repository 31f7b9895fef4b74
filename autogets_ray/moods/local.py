"""MOODS without Ray: the ask/tell core driven by a plain loop in this process."""

from __future__ import annotations

from collections.abc import Callable

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
) -> MoodsOutcome:
    """Alg. 1 end to end, then the kept model (:func:`finish_outcome`); ``on_round`` is called after
    every closed round (progress lines)."""
    core = MoodsCore(split.y_train, split.X_train.shape[1], settings, seed=seed)
    while True:
        batch = core.propose()
        if not batch:
            break
        state = core.state
        core.observe([evaluate_step(split, core.minority_idx, state, c, mlp, model_seed=seed) for c in batch])
        if on_round is not None:
            on_round(core)
    return finish_outcome(split, outcome_of(core), mlp, seed, settings.synthetic)
