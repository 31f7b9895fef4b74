"""Progress lines on stderr for long steps: what is happening, and how long it took.

While an experiment's trials run, :meth:`Progress.trial_board` shows them on one display
(:mod:`autogets_ray.progress_display`); the lines printed meanwhile go above it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from autogets_ray.progress_display import TrialBoard


class Progress:
    """``with progress.step("fitting catboost"):`` prints the step, then its duration.

    ``verbose`` keeps one line per trial next to the trial display; ``live`` forces the display's
    in-place redrawing on or off (default: on when the stream is a terminal).
    """

    def __init__(
        self,
        enabled: bool = True,
        stream: TextIO | None = None,
        prefix: str = "autogets",
        verbose: bool = False,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.stream = stream
        self.prefix = prefix
        self.verbose = verbose
        self.live = live
        self.clock = clock
        self.timings: dict[str, float] = {}
        self.board: TrialBoard | None = None  # the trial display while one is shown

    def __getstate__(self) -> dict[str, Any]:
        """Without the display: Tune pickles callbacks and hooks that hold this (a copy prints plain)."""
        return {**self.__dict__, "board": None}

    def _out(self) -> TextIO:
        return self.stream or sys.stderr

    def _print(self, line: str) -> None:
        if self.board is not None:
            self.board.message(line)
        else:
            print(line, file=self._out(), flush=True)

    def info(self, message: str) -> None:
        if self.enabled:
            self._print(f"[{self.prefix}] {message}")

    @contextmanager
    def step(self, message: str, key: str | None = None) -> Iterator[None]:
        if self.enabled:
            self._print(f"[{self.prefix}] {message} ...")
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.timings[key or message] = elapsed
        if self.enabled:
            self._print(f"[{self.prefix}] {message}: done in {elapsed:.1f} s")

    @contextmanager
    def trial_board(self, interval_s: float = 15.0) -> Iterator[TrialBoard]:
        """The trials' display for the duration of the block (left on screen at its end)."""
        board = TrialBoard(
            self._out(),
            live=self.live,
            verbose=self.verbose,
            enabled=self.enabled,
            prefix=self.prefix,
            interval_s=interval_s,
            clock=self.clock,
        )
        previous, self.board = self.board, board
        try:
            yield board
        finally:
            board.close()
            self.board = previous
