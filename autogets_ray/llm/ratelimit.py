"""Rate limits: a rolling-window token bucket (requests/min, tokens/min) and an in-flight bound.

:class:`TokenBucket` holds ``capacity`` tokens; a token spent comes back exactly ``period`` seconds
later. So a full bucket allows a burst, and no window of ``period`` seconds ever spends more than
``capacity`` (a classic continuously-refilled bucket allows up to twice that in one window, which
an endpoint counting per minute would reject). ``settle`` charges or refunds the difference
between a token estimate and the real usage once a reply is in (:meth:`TokenBucket.settle`).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class TokenBucket:
    """At most ``capacity`` tokens spent in any window of ``period`` seconds (0 = unlimited)."""

    def __init__(self, capacity: float, period: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if capacity < 0 or period <= 0:
            raise ValueError(f"a token bucket needs capacity >= 0 and period > 0, got {capacity}, {period}")
        self.capacity = float(capacity)
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._spent: deque[tuple[float, float]] = deque()  # (time, amount)
        self._in_window = 0.0
        self._lock = threading.Lock()

    @property
    def unlimited(self) -> bool:
        return self.capacity == 0

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.period:
            self._in_window -= self._spent.popleft()[1]
        if not self._spent:
            self._in_window = 0.0  # no float drift

    def acquire(self, amount: float = 1.0) -> list[float] | None:
        """Block until ``amount`` fits in the window and spend it; the ticket is for :meth:`settle`."""
        if self.unlimited:
            return None
        amount = min(float(amount), self.capacity)  # a request larger than the bucket waits for all of it
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                if self._in_window + amount <= self.capacity:
                    ticket = [now, amount]
                    self._spent.append(ticket)
                    self._in_window += amount
                    return ticket
                # wait until enough old spending leaves the window
                need, freed, wake = self._in_window + amount - self.capacity, 0.0, now
                for stamp, spent in self._spent:
                    freed += spent
                    wake = stamp + self.period
                    if freed >= need:
                        break
            self._sleep(max(wake - now, 0.001))

    def settle(self, ticket: list[float] | None, real: float) -> None:
        """Replace a ticket's estimate by the real amount (charge or refund) while in the window."""
        if ticket is None:
            return
        with self._lock:
            now = self._clock()
            self._expire(now)
            if ticket[0] > now - self.period:  # still in the window (expired tickets are gone)
                self._in_window += float(real) - ticket[1]
                ticket[1] = float(real)


class RateLimiter:
    """Requests/period and tokens/period buckets plus a bound on requests in flight."""

    def __init__(self, requests: float, tokens: float, period: float, max_in_flight: int) -> None:
        self.requests = TokenBucket(requests, period)
        self.tokens = TokenBucket(tokens, period)
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self.max_in_flight = max_in_flight

    @contextmanager
    def slot(self, estimated_tokens: int) -> Iterator[Callable[[int], None]]:
        """``with limiter.slot(est) as settle: ...; settle(real_tokens)`` around one request."""
        self._slots.acquire()
        try:
            ticket = self.tokens.acquire(estimated_tokens)
            self.requests.acquire(1)
            yield lambda real: self.tokens.settle(ticket, real)
        finally:
            self._slots.release()
