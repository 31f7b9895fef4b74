"""Rate limits: a rolling-window token bucket (requests/min, tokens/min) and an in-flight bound.

:class:`TokenBucket` holds ``capacity`` tokens. A request takes its tokens when it starts and they
come back ``period`` seconds after the request *finished* (:meth:`TokenBucket.finish`). So a full
bucket allows a burst, and no window of ``period`` seconds ever sees more than ``capacity`` tokens
*arrive at the server*, however long a request took to leave this process (a classic
continuously-refilled bucket allows up to twice the capacity in one window; counting from the
start of a request lets client-side delays push two bursts into one server window). ``finish``
also replaces a token estimate by the real usage once a reply is in (a refund or a charge).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Ticket = list  # [time, amount]: mutable so that finish() can restamp it


class TokenBucket:
    """At most ``capacity`` tokens spent in any window of ``period`` seconds (0 = unlimited)."""

    def __init__(
        self,
        capacity: float,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if capacity < 0 or period <= 0:
            raise ValueError(f"a token bucket needs capacity >= 0 and period > 0, got {capacity}, {period}")
        self.capacity = float(capacity)
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._spent: deque[Ticket] = deque()  # finished requests, ordered by finish time
        self._pending: dict[int, Ticket] = {}  # requests in flight: their tokens never expire
        self._in_window = 0.0  # pending + finished within the window
        self._lock = threading.Lock()

    @property
    def unlimited(self) -> bool:
        return self.capacity == 0

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.period:
            self._in_window -= self._spent.popleft()[1]
        if not self._spent and not self._pending:
            self._in_window = 0.0  # no float drift

    def acquire(self, amount: float = 1.0) -> Ticket | None:
        """Block until ``amount`` fits in the window and spend it; pass the ticket to :meth:`finish`."""
        if self.unlimited:
            return None
        amount = min(float(amount), self.capacity)  # a request larger than the bucket waits for all of it
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                if self._in_window + amount <= self.capacity:
                    ticket: Ticket = [now, amount]
                    self._pending[id(ticket)] = ticket
                    self._in_window += amount
                    return ticket
                # wait until enough finished spending leaves the window (or poll for finishes)
                need, freed, wake = self._in_window + amount - self.capacity, 0.0, None
                for stamp, spent in self._spent:
                    freed += spent
                    if freed >= need:
                        wake = stamp + self.period
                        break
                if wake is None:
                    wake = now + min(0.05, self.period)
            self._sleep(max(wake - now, 0.001))

    def finish(self, ticket: Ticket | None, real: float | None = None) -> None:
        """The request is over: its tokens come back a period from now; ``real`` replaces the estimate."""
        if ticket is None:
            return
        with self._lock:
            if self._pending.pop(id(ticket), None) is None:
                return
            now = self._clock()
            amount = ticket[1] if real is None else min(float(real), self.capacity)
            self._in_window += amount - ticket[1]
            ticket[0], ticket[1] = now, amount
            self._spent.append(ticket)  # now is the latest finish time: the deque stays ordered


class RateLimiter:
    """Requests/period and tokens/period buckets plus a bound on requests in flight."""

    def __init__(self, requests: float, tokens: float, period: float, max_in_flight: int) -> None:
        self.requests = TokenBucket(requests, period)
        self.tokens = TokenBucket(tokens, period)
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self.max_in_flight = max_in_flight

    @contextmanager
    def slot(self, estimated_tokens: int) -> Iterator[Callable[[int], None]]:
        """``with limiter.slot(est) as settle: reply = ...; settle(real_tokens)`` around one request."""
        usage: list[float] = []
        self._slots.acquire()
        try:
            token_ticket = self.tokens.acquire(estimated_tokens)
            request_ticket = self.requests.acquire(1)
            try:
                yield usage.append
            finally:
                self.requests.finish(request_ticket)
                self.tokens.finish(token_ticket, usage[-1] if usage else None)
        finally:
            self._slots.release()
