"""Retries with exponential backoff and seeded jitter, honouring ``Retry-After``.

Delay before retry ``k`` (``k = 0, 1, ...``): ``min(backoff_max, backoff_base * 2**k) * (0.5 + u/2)``
with ``u`` drawn from a generator seeded by ``(seed, request key, k)`` ("equal jitter": never less
than half the exponential step, so retries spread out but keep backing off). When the server sent
``Retry-After`` (or ``retry-after-ms``) the delay is at least that; a server asking for more than
``max_retry_after`` seconds ends the retries at once with a clear error.
"""

from __future__ import annotations

import email.utils
import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), else ``None``."""

    def get(name: str) -> str | None:
        for key, value in headers.items():
            if key.lower() == name:
                return value
        return None

    millis = get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


class RetryError(Exception):
    """Raised when a call kept failing; the message says what, how often and the last error."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 300.0
    seed: int = 0

    def delay(self, key: str, retry: int, retry_after: float | None, backoff: bool | float = True) -> float:
        """Seconds to wait before retry number ``retry`` (0-based) of the request ``key``.

        ``backoff``: ``True`` the full exponential step, ``False`` none, a number at most that
        many seconds (a refused connection: retry soon, the generator stops after a few).
        """
        if backoff is False:  # e.g. a local model's unusable reply: nobody to spare, sample again now
            return retry_after or 0.0
        digest = hashlib.sha256(f"{self.seed}\x1f{key}\x1f{retry}".encode("utf-8")).digest()
        u = random.Random(int.from_bytes(digest[:8], "big")).random()
        step = min(self.backoff_max, self.backoff_base * (2.0**retry)) * (0.5 + 0.5 * u)
        if backoff is not True:
            step = min(step, float(backoff))
        return max(step, retry_after or 0.0)

    def call(
        self,
        fn: Callable[[], T],
        key: str,
        is_retryable: Callable[[Exception], tuple[bool, float | None, bool | float]],
        on_retry: Callable[[int, Exception, float], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """``fn()`` until it succeeds, a non-retryable error, or ``max_retries`` retries are spent.

        ``is_retryable(exc)`` says (retry it?, the server's Retry-After or None, back off?
        as in :meth:`delay`).
        """
        retry = 0
        while True:
            try:
                return fn()
            except Exception as exc:  # classified below; unknown errors are not retried
                retryable, retry_after, backoff = is_retryable(exc)
                attempts = retry + 1
                if not retryable:
                    raise RetryError(f"{exc} (not retryable, {_times(attempts)})", attempts) from exc
                if retry >= self.max_retries:
                    raise RetryError(
                        f"gave up after {_times(attempts)} (max_retries="
                        f"{self.max_retries}); last error: {exc}",
                        attempts,
                    ) from exc
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise RetryError(
                        f"the server asked to retry after {retry_after:g} s, more than "
                        f"max_retry_after_s={self.max_retry_after:g}; last error: {exc}",
                        attempts,
                    ) from exc
                pause = self.delay(key, retry, retry_after, backoff)
                if on_retry is not None:
                    on_retry(retry, exc, pause)
                sleep(pause)
                retry += 1


def _times(attempts: int) -> str:
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"
