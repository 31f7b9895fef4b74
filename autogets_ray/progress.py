"""Progress lines on stderr for long steps: what is happening, and how long it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """``with progress.step("fitting catboost"):`` prints the step, then its duration."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, prefix: str = "autogets") -> None:
        self.enabled = enabled
        self.stream = stream
        self.prefix = prefix
        self.timings: dict[str, float] = {}

    def _out(self) -> TextIO:
        return self.stream or sys.stderr

    def info(self, message: str) -> None:
        if self.enabled:
            print(f"[{self.prefix}] {message}", file=self._out(), flush=True)

    @contextmanager
    def step(self, message: str, key: str | None = None) -> Iterator[None]:
        if self.enabled:
            print(f"[{self.prefix}] {message} ...", file=self._out(), flush=True)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.timings[key or message] = elapsed
        if self.enabled:
            print(f"[{self.prefix}] {message}: done in {elapsed:.1f} s", file=self._out(), flush=True)
