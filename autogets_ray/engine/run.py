"""Run (or continue) an experiment's searches on one Tuner: the one run-or-resume function.

Resume rule (both commands): a rerun rebuilds the searches from the same configuration and seeds
and replays the journal into them (:mod:`autogets_ray.engine.searcher`); finished trials are never
retrained, searches the journal shows finished need no trial at all, and only what is left goes to
a new ``Tuner.fit``. Tune's own experiment checkpoints are not used for resuming: they are written
every few seconds and a kill -9 loses what came after the last one, while the journal is written
per trial. Each rerun is a fresh Tune experiment in the same directory (``storage_path/name``).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ray.tune import Callback

from autogets_ray.engine.searcher import JournaledSearcher
from autogets_ray.progress import Progress

#: Closed searches get this reason when the experiment's wall-clock cap ran out.
WALL_CLOCK = "wall_clock"


@dataclass
class EngineRun:
    """What one call did: trials it replayed and ran, whether the wall clock capped it, and the
    searches still open (non-empty means the run was interrupted)."""

    replayed: int
    ran: int
    capped: bool
    open_searches: list[str] = field(default_factory=list)
    grid: Any = None  # Tune's ResultGrid (None when the journal held everything)

    @property
    def interrupted(self) -> bool:
        return bool(self.open_searches)


class ErrorLines(Callback):
    """A Tune callback printing where a failed trial's traceback is."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        search_id = (trial.config or {}).get("search_id", "trial")
        self.progress.info(f"{search_id}: trial {trial.trial_id} failed: {trial.error_file or 'see logs'}")


#: The longest ``<search>-<candidate>`` part of a trial's directory name (the trial id follows).
DIRNAME_CHARS = 60


def short_trial_dirname(trial: Any) -> str:
    """A trial's directory under the Tune experiment: ``<search_id>-<candidate_id>-<trial_id>``, the
    first part cut to :data:`DIRNAME_CHARS` (Tune's default holds the whole config: hundreds of
    characters). The trial id keeps it unique across reruns into the same directory."""
    config = trial.config or {}
    own = str(config.get("candidate_id", ""))
    search_id = str(config.get("search_id", ""))
    own = own.removeprefix(f"{search_id}:")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(p for p in (search_id, own) if p))[:DIRNAME_CHARS]
    return f"{name}-{trial.trial_id}" if name else str(trial.trial_id)


def run_searches(
    trainable: Callable[..., Any],
    searcher: JournaledSearcher,
    *,
    name: str,
    storage_path: str,
    max_concurrent_trials: int,
    progress: Progress,
    time_budget_s: float | None = None,
    callbacks: Sequence[Any] = (),
    trial_dirname_creator: Callable[[Any], str] | None = None,
) -> EngineRun:
    """Replay the journal, run what is left on one Tuner, close searches the wall clock cut.

    Trials' directories are named by ``trial_dirname_creator`` (default :func:`short_trial_dirname`)."""
    from ray import tune

    # The legacy reporter honours verbose=0; the new one still prints a box whose trial count is
    # 2**63 - 1 for num_samples=-1. Progress lines come from the searcher's hooks instead.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    searches = set(searcher.interleaver.cores)
    journaled = sum(e["search_id"] in searches for e in searcher.journal.entries("trial"))
    searcher.journal.start_session()
    if journaled:
        progress.info(
            f"resuming: {journaled} finished trial(s) replayed from {searcher.journal.path} "
            "(none is trained again)"
        )
    done = searcher.replay()
    if done:
        searcher.journal.close()
        return EngineRun(searcher.replayed, 0, capped=False)
    tuner = tune.Tuner(
        trainable,
        param_space={},
        tune_config=tune.TuneConfig(
            search_alg=searcher,
            num_samples=-1,
            max_concurrent_trials=max_concurrent_trials,
            reuse_actors=True,
            time_budget_s=time_budget_s,
            trial_dirname_creator=trial_dirname_creator or short_trial_dirname,
        ),
        run_config=tune.RunConfig(
            name=name,
            storage_path=storage_path,
            verbose=0,
            callbacks=[ErrorLines(progress), *callbacks],
            failure_config=tune.FailureConfig(max_failures=0),
        ),
    )
    started = time.monotonic()
    try:
        grid = tuner.fit()
    finally:
        searcher.journal.close()  # a later write (closing searches) reopens it
    capped = time_budget_s is not None and time.monotonic() - started >= 0.95 * time_budget_s
    open_searches = searcher.interleaver.open_searches()
    if capped and open_searches:
        searcher.close_open(WALL_CLOCK)
        searcher.journal.close()
        open_searches = []
    ran = sum(e["attempt"] == searcher.journal.attempt for e in searcher.journal.entries("trial"))
    return EngineRun(searcher.replayed, ran, capped, open_searches, grid)
