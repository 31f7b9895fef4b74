"""One display of an experiment's searches while their trials run (no Ray here).

Per search a row: trials done, best validation objective so far against M0, and the budget that
will end the search (``trials 5/24`` for a trial cap, ``retrain 40/60 s`` when the retrain seconds
run out first). On a terminal the rows are redrawn in place (ANSI cursor moves); anywhere else
(CI, a pipe, a file) a summary line at most every ``interval_s`` plus one line per finished search.
``verbose`` adds the per-trial line of every trial. Fed by the experiment's search hooks.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

#: Cursor to the start of the line ``n`` lines up (CSI n F) and clear to the end of the screen.
_UP = "\x1b[{n}F"
_CLEAR_DOWN = "\x1b[J"


@dataclass
class SearchRow:
    """What the display knows of one search."""

    search_id: str
    m0: float
    budget_s: float = math.inf
    max_candidates: int | None = None
    trials: int = 0
    best: float = math.nan
    spent_s: float = 0.0
    finished: str | None = None  # the finish reason once finished

    def trials_bind(self) -> bool:
        """Whether the trial cap ends this search before the retrain-seconds budget does (at the
        retrain seconds per trial seen so far); with neither finite, neither binds."""
        if self.max_candidates is None:
            return False
        if not math.isfinite(self.budget_s):
            return True
        return self.trials / self.max_candidates >= self.spent_s / self.budget_s

    def budget(self) -> str:
        """``trials 5/24`` when the trial cap binds, ``trials 5, retrain 40/60 s`` when the seconds do."""
        if self.trials_bind():
            return f"trials {self.trials}/{self.max_candidates}"
        digits = 1 if self.budget_s < 10 else 0  # whole seconds, unless the budget is a few
        if math.isfinite(self.budget_s):
            return f"trials {self.trials}, retrain {self.spent_s:.{digits}f}/{self.budget_s:.{digits}f} s"
        return f"trials {self.trials}, retrain {self.spent_s:.0f} s"

    def best_text(self) -> str:
        best = f"{'-':<6}" if math.isnan(self.best) else f"{self.best:.4f}"
        return f"best {best} vs M0 {self.m0:.4f}"

    @property
    def above_m0(self) -> bool:
        return not math.isnan(self.best) and self.best > self.m0


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal that takes cursor moves (not ``TERM=dumb``)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM", "") != "dumb"


class TrialBoard:
    """The live (terminal) or periodic (anything else) display of the searches' progress.

    ``stream`` None is stderr; ``clock`` is injectable (tests); ``width`` and ``height`` default to
    the terminal's size.
    """

    def __init__(
        self,
        stream: TextIO | None,
        *,
        live: bool | None = None,
        verbose: bool = False,
        enabled: bool = True,
        prefix: str = "autogets",
        interval_s: float = 15.0,
        redraw_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        self.stream = stream
        self.live = is_terminal(stream or sys.stderr) if live is None else live
        self.verbose = verbose
        self.enabled = enabled
        self.prefix = prefix
        self.interval_s = interval_s
        self.redraw_s = redraw_s
        self.clock = clock
        size = shutil.get_terminal_size((100, 24))
        self.width = width or size.columns
        self.height = height or size.lines
        self.rows: dict[str, SearchRow] = {}
        self.started = clock()
        self._last_line = self.started  # non-live: when the last summary or finish line was written
        self._last_draw = -math.inf
        self._drawn = 0  # live: lines of the block now on screen
        self._changed = False
        self.closed = False

    # ------------------------------------------------------------------ feeding
    def add(
        self, search_id: str, m0: float, budget_s: float = math.inf, max_candidates: int | None = None
    ) -> None:
        """A search to show (before its first trial, so the live block has every row from the start)."""
        self.rows.setdefault(search_id, SearchRow(search_id, m0, budget_s, max_candidates))

    def trial(
        self,
        search_id: str,
        *,
        trials: int,
        best: float,
        spent_s: float,
        line: str | None = None,
        replayed: bool = False,
    ) -> None:
        """A search learnt a trial's result (``replayed``: from the journal, no line is printed)."""
        row = self._row(search_id)
        row.trials, row.best, row.spent_s = trials, best, spent_s
        self._changed = True
        if not self.enabled:
            return
        if self.verbose and line is not None and not replayed:
            self.message(f"[{self.prefix}] {line}")
        if self.live:
            self._draw()
        elif not replayed and self.clock() - self._last_line >= self.interval_s:
            self._print(self.summary())

    def finished(
        self,
        search_id: str,
        *,
        reason: str,
        trials: int,
        best: float,
        spent_s: float,
    ) -> None:
        """A search finished (on its own or closed); off a terminal, its line."""
        row = self._row(search_id)
        row.trials, row.best, row.spent_s, row.finished = trials, best, spent_s, reason
        self._changed = True
        if not self.enabled:
            return
        if self.live:
            self._draw(force=True)
        else:
            self._print(
                f"{search_id}: finished ({reason}): {row.budget()}, {row.best_text()}; {self.done_text()}"
            )

    def message(self, line: str) -> None:
        """A line of its own, as given (a step, a warning, a failed trial): above the live block."""
        if not self.enabled:
            return
        if self.live and not self.closed and self._drawn:
            block = self._block()
            self._write(self._erase() + line + "\n" + "".join(row + "\n" for row in block))
            self._drawn = len(block)
            self._last_draw = self.clock()
            self._changed = False
            return
        self._write(line + "\n")

    def close(self) -> None:
        """The final state: the live block redrawn one last time and left on screen, a blank line after."""
        if (
            self.enabled
            and self.live
            and not self.closed
            and self.rows
            and (self._changed or not self._drawn)
        ):
            self._draw(force=True)
        if self.enabled and self.live and not self.closed and self._drawn:
            self._write("\n")  # the block stays; what follows starts a paragraph of its own
        self.closed = True

    # ------------------------------------------------------------------ text
    def done_text(self) -> str:
        done = sum(row.finished is not None for row in self.rows.values())
        return f"{done}/{len(self.rows)} searches done"

    def summary(self) -> str:
        """The one-line state of every search: trials, searches done, how many beat M0 so far."""
        trials = sum(row.trials for row in self.rows.values())
        # the trials there will be: a finished search's own, an open one's cap (when every search has one)
        caps = [row.trials if row.finished else row.max_candidates for row in self.rows.values()]
        total = f"/{sum(c for c in caps if c is not None)}" if caps and None not in caps else ""
        above = sum(row.above_m0 for row in self.rows.values())
        return (
            f"trials {trials}{total} done, {self.done_text()}, {above} above M0 so far "
            f"({self.clock() - self.started:.0f} s)"
        )

    def _block(self) -> list[str]:
        """The live block: the summary, then a row per search in the searches' order (open ones
        first when the terminal has no room for every row)."""
        rows = list(self.rows.values())
        room = max(1, self.height - 3)
        hidden: list[SearchRow] = []
        if len(rows) > room:
            rows = sorted(rows, key=lambda row: row.finished is not None)
            rows, hidden = rows[: room - 1], rows[room - 1 :]
        name = max((len(row.search_id) for row in rows), default=0)
        budget = max((len(row.budget()) for row in rows), default=0)
        lines = [self._line(f"[{self.prefix}] {self.summary()}")]
        for row in rows:
            state = f"done ({row.finished})" if row.finished is not None else "running"
            lines.append(
                self._line(f"  {row.search_id:<{name}}  {row.budget():<{budget}}  {row.best_text()}  {state}")
            )
        if hidden:
            done = sum(row.finished is not None for row in hidden)
            lines.append(self._line(f"  ... {len(hidden)} more ({done} of them done)"))
        return lines

    def _line(self, text: str) -> str:
        """Cut to the terminal's width (a wrapped line would break the cursor moves)."""
        return text if len(text) < self.width else text[: max(1, self.width - 2)] + "…"

    # ------------------------------------------------------------------ output
    def _row(self, search_id: str) -> SearchRow:
        if search_id not in self.rows:
            self.add(search_id, math.nan)
        return self.rows[search_id]

    def _erase(self) -> str:
        return (_UP.format(n=self._drawn) + _CLEAR_DOWN) if self._drawn else ""

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if self.closed or (not force and now - self._last_draw < self.redraw_s):
            return
        block = self._block()
        self._write(self._erase() + "".join(line + "\n" for line in block))
        self._drawn = len(block)
        self._last_draw = now
        self._changed = False

    def _print(self, text: str) -> None:
        """A line of the board's own (off a terminal): a summary or a finished search."""
        self._write(f"[{self.prefix}] {text}\n")
        self._last_line = self.clock()

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(text)
        stream.flush()

    def __getstate__(self) -> dict[str, Any]:
        """Without the stream: Tune pickles the searcher and its hooks (a copy writes to stderr)."""
        return {**self.__dict__, "stream": None}
