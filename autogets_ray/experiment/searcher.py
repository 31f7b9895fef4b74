"""The searcher the runner hands to Tune: a :class:`CoreSearcher` that records how its search ended.

When the core says FINISHED, it writes ``search_state.json`` (why it finished, retrain seconds
spent, candidates issued, and the strategy's own log: HSW levels, GA generations). The runner uses
that file to tell a finished search from an interrupted one: ``Tuner.fit`` returns normally in both
cases. The marker path is part of the pickled state, so a restored searcher writes it too.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ray.tune.search import Searcher

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
    def __init__(self, core: Any, state_path: str | Path, **kwargs: Any) -> None:
        super().__init__(core, **kwargs)
        self.state_path = str(state_path)

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        suggestion = super().suggest(trial_id)
        if suggestion == Searcher.FINISHED and not Path(self.state_path).exists():
            self._write_state()
        return suggestion

    def _write_state(self) -> None:
        core = self.core
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
        path = Path(self.state_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(_jsonable(state), indent=2))
        tmp.replace(path)

    def get_state(self) -> dict[str, Any]:
        return {**super().get_state(), "state_path": self.state_path}

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.state_path = state["state_path"]
