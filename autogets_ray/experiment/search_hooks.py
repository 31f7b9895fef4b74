"""What an AutoGeTS experiment prints and writes as its searches learn results and finish.

The trials go to one display (:class:`~autogets_ray.progress_display.TrialBoard`: per search its
trials, best so far against M0 and the budget that ends it), instead of Tune's table; with
``--verbose`` also one line per finished trial.
When a search finishes, its ``search_state.json``: why it finished, retrain seconds spent,
candidates issued, its best and the strategy's own log (HSW levels, GA generations); a strategy
that learns per-example effects also writes them (:func:`write_learned_effects`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from autogets_ray.engine.searcher import SearchHooks
from autogets_ray.progress import Progress
from autogets_ray.progress_display import SearchRow, TrialBoard
from autogets_ray.search.core import SearchCore
from autogets_ray.search.datamodel import EFFECTS_FILE, PREDICTIONS_FILE

STATE_FILE = "search_state.json"


def state_path(searches_dir: str | Path, search_id: str) -> Path:
    return Path(searches_dir) / search_id / STATE_FILE


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


def write_search_state(core: SearchCore, path: Path, reason: str | None = None) -> None:
    """``search_state.json`` of a finished (or closed: ``reason``) search."""
    best = core.best
    state = {
        "finish_reason": reason or core.finish_reason,
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


def write_learned_effects(core: Any, directory: Path) -> None:
    """For a strategy that learns per-example effects (datamodel): ``example_effects.parquet``
    (example_id, effect, effect_sd, trials_with) and ``predictions.parquet`` (each guided
    proposal's predicted and observed objective)."""
    if not hasattr(core, "example_effects"):
        return
    import pandas as pd

    directory.mkdir(parents=True, exist_ok=True)
    core.example_effects().to_parquet(directory / EFFECTS_FILE, index=False)
    columns = ["round", "candidate_id", "predicted", "observed"]
    pd.DataFrame(core.predictions(), columns=columns).to_parquet(directory / PREDICTIONS_FILE, index=False)


class AutoGetsHooks(SearchHooks):
    """``m0_values``: search id -> M0's validation value of that search's objective.

    With a ``board`` (:class:`~autogets_ray.progress_display.TrialBoard`) the trials go to that one
    display (and the per-trial lines only with its ``verbose``); without one, a line per trial.
    """

    def __init__(
        self,
        m0_values: dict[str, float],
        searches_dir: str | Path,
        progress: Progress,
        board: TrialBoard | None = None,
    ) -> None:
        self.m0_values = m0_values
        self.searches_dir = str(searches_dir)
        self.progress = progress
        self.board = board
        self.completed = 0
        self.finished = 0

    def watch(self, cores: dict[str, Any]) -> None:
        """Give the board a row per search, with its budgets, before any trial runs."""
        if self.board is None:
            return
        for search_id, core in cores.items():
            problem = core.problem
            self.board.add(
                search_id, self.m0_values[search_id], problem.budget_seconds, problem.max_candidates
            )

    def on_told(self, search_id: str, core: Any, result: dict[str, Any] | None, replayed: bool) -> None:
        best = core.best[1].objective if core.best is not None else math.nan
        fresh = result is not None and not replayed
        if fresh:
            self.completed += 1
        line = self._trial_line(search_id, core, result, best) if fresh and result is not None else None
        if self.board is not None:
            self.board.trial(
                search_id,
                trials=len(core.history),
                best=best,
                spent_s=core.spent_seconds,
                line=line,
                replayed=replayed,
            )
        elif line is not None:
            self.progress.info(line)

    def _trial_line(self, search_id: str, core: Any, result: dict[str, Any], best: float) -> str:
        """One trial: the candidate, its validation value, the best so far, the binding budget."""
        candidate = str(result.get("candidate_id", ""))
        return (
            f"{search_id} #{len(core.history)}: {candidate} "
            f"({result.get('subset_size', 0)} examples, {result.get('n_synthetic', 0)} synthetic) "
            f"val {float(result['objective']):.4f} | best {best:.4f} vs M0 {self.m0_values[search_id]:.4f} | "
            f"{_row(search_id, core, self.m0_values[search_id], best).budget()}"
            + (f" | {self.completed} trials in all" if len(self.m0_values) > 1 else "")
        )

    def on_finished(self, search_id: str, core: Any, reason: str | None) -> None:
        self.finished += 1
        write_search_state(core, state_path(self.searches_dir, search_id), reason)
        write_learned_effects(core, Path(self.searches_dir) / search_id)
        best = core.best[1].objective if core.best is not None else math.nan
        if self.board is not None:
            self.board.finished(
                search_id,
                reason=str(reason or core.finish_reason),
                trials=len(core.history),
                best=best,
                spent_s=core.spent_seconds,
            )
            return
        self.progress.info(
            f"{search_id}: finished ({reason or core.finish_reason}): {core.n_issued} candidates, "
            f"{core.spent_seconds:.1f} retrain-s; {self.finished}/{len(self.m0_values)} searches done"
        )

    def on_warning(self, message: str) -> None:
        self.progress.info(f"warning: {message}")


def _row(search_id: str, core: Any, m0: float, best: float) -> SearchRow:
    """``core``'s state as a display row (for its budget text)."""
    problem = core.problem
    return SearchRow(
        search_id,
        m0,
        problem.budget_seconds,
        problem.max_candidates,
        len(core.history),
        best,
        core.spent_seconds,
    )
