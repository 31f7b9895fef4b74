"""The searcher the runner hands to Tune: every search of the experiment, interleaved, recorded.

When one search's core says FINISHED, it writes that search's ``search_state.json`` (why it
finished, retrain seconds spent, candidates issued, and the strategy's own log: HSW levels, GA
generations). The runner uses these files to tell a finished experiment from an interrupted one:
``Tuner.fit`` returns normally in both cases. The directory is part of the pickled state, so a
restored searcher writes them too.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from autogets_ray.progress import Progress
from autogets_ray.search.core import SearchCore
from autogets_ray.search.interleave import InterleavedSearch
from autogets_ray.search.tune_searcher import CoreSearcher

STATE_FILE = "search_state.json"


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in vars(value).items()}
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class RecordingSearcher(CoreSearcher):
    """A :class:`CoreSearcher` over an :class:`InterleavedSearch` that records each finished search.

    When a search's core says FINISHED, ``<searches_dir>/<search id>/search_state.json`` is written.
    """

    def __init__(self, core: InterleavedSearch, searches_dir: str | Path, announce: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(core, **kwargs)
        self.searches_dir = str(searches_dir)
        self.announce = announce  # a progress line per finished search (a bool: the searcher is pickled)

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        suggestion = super().suggest(trial_id)
        for search_id in self.core.newly_finished():
            core = self.core.cores[search_id]
            write_search_state(core, state_path(self.searches_dir, search_id))
            Progress(enabled=self.announce).info(
                f"{search_id}: all candidates issued ({core.finish_reason}): {core.n_issued}, "
                f"{core.spent_seconds:.1f} retrain-s; {len(self.core.finished)}/{len(self.core.cores)} "
                f"searches done")
        return suggestion

    def get_state(self) -> dict[str, Any]:
        return {**super().get_state(), "searches_dir": self.searches_dir, "announce": self.announce}

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.searches_dir = state["searches_dir"]
        self.announce = state.get("announce", True)


def state_path(searches_dir: str | Path, search_id: str) -> Path:
    return Path(searches_dir) / search_id / STATE_FILE


def write_search_state(core: SearchCore, path: Path) -> None:
    """``search_state.json``: why the search ended, its spend, its best and the strategy's log."""
    best = core.best
    state = {
        "finish_reason": core.finish_reason,
        "spent_retrain_seconds": core.spent_seconds,
        "candidates_issued": core.n_issued,
        "best_candidate": best[0].candidate_id if best else None,
        "best_objective": best[1].objective if best else None,
        "level_log": getattr(core, "level_log", None),
        "generation_log": getattr(core, "generation_log", None),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_jsonable(state), indent=2))
    tmp.replace(path)
