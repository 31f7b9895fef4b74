"""The rolling-window token bucket, on a fake clock (no real waiting)."""

from __future__ import annotations

import pytest

from autogets_ray.llm.ratelimit import TokenBucket
from autogets_ray.llm.retry import RetryPolicy, parse_retry_after


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def bucket(capacity, period=60.0):
    clock = FakeClock()
    return TokenBucket(capacity, period, clock=clock, sleep=clock.sleep), clock


def take(limiter, amount=1.0, real=None):
    """An instant request: acquire, then finish at once."""
    limiter.finish(limiter.acquire(amount), real)


def test_a_full_bucket_allows_a_burst_then_waits_a_whole_window():
    limiter, clock = bucket(3)
    for _ in range(3):
        take(limiter)
    assert clock.now == 0.0
    take(limiter)
    assert clock.now == pytest.approx(60.0)


def test_no_window_ever_holds_more_than_the_capacity():
    limiter, clock = bucket(5, period=10.0)
    stamps = []
    for _ in range(23):
        take(limiter)
        stamps.append(clock.now)
        clock.now += 0.7  # steady demand faster than the limit
    assert max(sum(1 for t in stamps if s <= t < s + 10.0) for s in stamps) == 5


def test_tokens_come_back_a_period_after_the_request_finished():
    limiter, clock = bucket(2, period=10.0)
    first = limiter.acquire()
    take(limiter)  # an instant request at t=0
    clock.now = 4.0
    limiter.finish(first)  # a slow request: finished at t=4
    take(limiter)  # waits for the instant request's token (t=10) ...
    assert clock.now == pytest.approx(10.0)
    take(limiter)  # ... then for the slow one's (t=14), not t=10
    assert clock.now == pytest.approx(14.0)


def test_tokens_of_a_request_in_flight_never_expire():
    limiter, clock = bucket(1, period=1.0)
    ticket = limiter.acquire()
    clock.now = 5.0  # in flight for five periods: still holds its token
    assert limiter._in_window == 1.0
    limiter.finish(ticket)
    take(limiter)
    assert clock.now == pytest.approx(6.0)


def test_finish_refunds_an_overestimate_and_charges_an_underestimate():
    limiter, clock = bucket(1000)
    take(limiter, 800, real=100)  # the reply used 100 tokens, not 800
    take(limiter, 800)
    assert clock.now == 0.0
    take(limiter, 50, real=500)  # ... and this one used more than estimated: 1400 spent
    take(limiter, 1)
    assert clock.now == pytest.approx(60.0)


def test_zero_capacity_means_unlimited_and_bad_settings_raise():
    limiter, clock = bucket(0)
    for _ in range(1000):
        take(limiter, 10**6)
    assert clock.now == 0.0
    with pytest.raises(ValueError, match="period"):
        TokenBucket(5, 0)


def test_retry_after_parsing():
    assert parse_retry_after({"Retry-After": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({}) is None


def test_backoff_is_exponential_jittered_seeded_and_honours_retry_after():
    policy = RetryPolicy(max_retries=5, backoff_base=1.0, backoff_max=8.0, seed=3)
    delays = [policy.delay("k", retry, None) for retry in range(5)]
    for retry, delay in enumerate(delays):
        step = min(8.0, 2.0**retry)
        assert step / 2 <= delay <= step
    assert delays == [policy.delay("k", r, None) for r in range(5)]  # seeded
    assert delays != [RetryPolicy(seed=4, backoff_max=8.0).delay("k", r, None) for r in range(5)]
    assert policy.delay("k", 0, retry_after=30.0) == 30.0


def test_unusable_replies_of_local_backends_are_resampled_without_backoff():
    policy = RetryPolicy(backoff_base=1.0, seed=0)
    assert policy.delay("k", 3, None, backoff=False) == 0.0
    assert policy.delay("k", 3, None) >= 4.0
