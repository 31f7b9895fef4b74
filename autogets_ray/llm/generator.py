"""The Ray-free generator: backend wrapped in cache, single-flight, rate limits and retries.

One request per selected example (paper App. B.1): ``samples_per_example`` lines asked in one
prompt, parsed into clean samples; if a reply keeps fewer, up to ``topup_requests`` more requests
ask for the missing lines. Every example is cached as soon as it is done, so an interrupted run
loses nothing that finished, and any later subset touching the example is served from the cache.

Processes sharing a cache share work: an example is generated under a lease in the cache, and a
process that finds another's live lease waits for that record (counted as ``shared``). When the
endpoint cannot be reached ``max_connection_failures`` times in a row, every example in flight
or queued fails at once with one message, instead of each retrying against a dead server.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from autogets_ray.llm.backends.base import Backend, BackendError, create_backend, estimate_tokens
from autogets_ray.llm.cache import ExampleRecord, GenerationCache, params_json
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.keys import example_key, generation_params
from autogets_ray.llm.parsing import ParsedReply, parse_reply
from autogets_ray.llm.ratelimit import RateLimiter
from autogets_ray.llm.retry import RetryError, RetryPolicy
from autogets_ray.llm.types import (
    COUNTER_NAMES,
    Completion,
    Example,
    GenerationRequest,
    GenerationResult,
    SamplingParams,
    samples_frame,
)

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

#: Longest pause before retrying a failed connection: it either works soon or trips the stop.
CONNECTION_RETRY_S = 0.5
#: How often a process waiting for another's lease looks for the record.
LEASE_POLL_S = 0.2
#: A lease claimed or renewed this recently is not renewed again before an attempt.
_RENEW_AFTER_S = 1.0


class GenerationError(Exception):
    """An example whose generation kept failing (the message is what the trial reports)."""


class EndpointUnreachable(GenerationError):
    """The endpoint refused connections too often in a row: the whole generation stops."""


class Tally:
    """Thread-safe counters; every addition also goes to ``parent`` (cumulative totals)."""

    def __init__(self, parent: "Tally | None" = None) -> None:
        self._values: Counter[str] = Counter({name: 0 for name in COUNTER_NAMES})
        self._lock = threading.Lock()
        self._parent = parent

    def add(self, name: str, value: float = 1) -> None:
        with self._lock:
            self._values[name] += value
        if self._parent is not None:
            self._parent.add(name, value)

    def snapshot(self, price_in: float, price_out: float) -> dict[str, float]:
        with self._lock:
            values = dict(self._values)
        values["estimated_cost"] = round(
            values["tokens_in"] / 1000 * price_in + values["tokens_out"] / 1000 * price_out, 6
        )
        return {k: (int(v) if k != "estimated_cost" else float(v)) for k, v in values.items()}


class Generator:
    """``generate(examples) -> GenerationResult``; thread-safe, one backend call per distinct example."""

    def __init__(self, config: GenerationConfig, backend: Backend, cache: GenerationCache) -> None:
        self.config = config
        self.backend = backend
        self.cache = cache
        self.params = generation_params(config)
        self._params_json = params_json(self.params)
        self.sampling = SamplingParams(
            config.temperature,
            config.max_tokens,
            config.top_p,
            config.frequency_penalty,
            config.presence_penalty,
            config.seed,
        )

        def pick(value: float | None, default: float) -> float:
            return default if value is None else value

        self.max_in_flight = int(pick(config.max_in_flight, backend.default_max_in_flight))
        self.limiter = RateLimiter(
            pick(config.requests_per_minute, backend.default_requests_per_minute),
            pick(config.tokens_per_minute, backend.default_tokens_per_minute),
            config.rate_period_s,
            self.max_in_flight,
        )
        self.price_in = pick(config.price_in_per_1k, backend.default_price_in_per_1k)
        self.price_out = pick(config.price_out_per_1k, backend.default_price_out_per_1k)
        self.retry = RetryPolicy(
            config.max_retries,
            config.backoff_base_s,
            config.backoff_max_s,
            config.max_retry_after_s,
            config.seed,
        )
        self._pool = ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="autogets-llm")
        self._inflight: dict[str, Future[list[tuple[int, str]]]] = {}
        self._lock = threading.Lock()
        self._totals = Tally()
        self._instruction = backend.adapter.instruction()
        #: This generator's name on the cache's leases (host:pid:token; unique per instance).
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        #: How long a lease lives unless renewed: a killed owner blocks others this long at most.
        self.lease_ttl_s = max(60.0, 2 * config.timeout_s)
        # consecutive connection failures (any thread); ``_trips`` counts the stops they caused
        self._down = threading.Condition()
        self._connection_failures = 0
        self._trips = 0
        self._down_message = ""

    # --- keys and class texts ----------------------------------------------------------------
    def key_for(self, example: Example) -> str:
        return example_key(
            self.backend.name,
            self.backend.model_id(example.label),
            self.backend.adapter.version,
            self.params,
            example.text,
        )

    def set_class_texts(self, class_texts: Mapping[str, Sequence[str]]) -> None:
        self.backend.set_class_texts(class_texts)

    def counters(self) -> dict[str, float]:
        """Cumulative counters of every call so far."""
        return self._totals.snapshot(self.price_in, self.price_out)

    # --- the public call ---------------------------------------------------------------------
    def generate(self, examples: Sequence[Example], progress: Progress | None = None) -> GenerationResult:
        """Samples for every example: from the cache, else from the backend (errors per example)."""
        examples = _checked(examples)
        tally = Tally(self._totals)
        tally.add("requests", len(examples))
        keys = [self.key_for(ex) for ex in examples]
        found = self.cache.get_many(keys)
        futures: dict[str, Future[list[tuple[int, str]]]] = {}
        waiting: dict[str, list[Example]] = {}
        done = 0
        for ex, key in zip(examples, keys):
            if key in found:
                tally.add("cache_hits")
                done += 1
            else:
                waiting.setdefault(key, []).append(ex)
        if progress is not None and done:
            progress(done)
        # The stops so far, taken once: every example of this call was queued before a stop that
        # happens while it runs, so none of them makes an attempt after one (however slowly the
        # loop below submits them).
        trips = self._trips
        for key, group in waiting.items():
            futures[key] = self._start(key, group[0], tally, trips)
            tally.add("shared", len(group) - 1)  # same text twice in one call: one backend call
        errors: dict[int, str] = {}
        stopped = ""
        key_of = {future: key for key, future in futures.items()}
        for future in as_completed(key_of):
            key = key_of[future]
            try:
                found[key] = future.result()
            except GenerationError as exc:
                if isinstance(exc, EndpointUnreachable):
                    stopped = str(exc)
                for ex in waiting[key]:
                    errors[ex.example_id] = f"example {ex.example_id} (class {ex.label!r}): {exc}"
            if progress is not None:
                progress(len(waiting[key]))
        rows = [
            (ex.example_id, ex.label, index, text)
            for ex, key in zip(examples, keys)
            for index, text in found.get(key, [])
        ]
        tally.add("samples", len(rows))
        return GenerationResult(
            samples_frame(rows), errors, tally.snapshot(self.price_in, self.price_out), stopped=stopped
        )

    # --- single flight -----------------------------------------------------------------------
    def _start(self, key: str, example: Example, tally: Tally, trips: int) -> Future[list[tuple[int, str]]]:
        """The in-flight future for ``key``, or a new one: duplicates share one backend call.
        ``trips``: the stops when the example was queued; it fails without an attempt after a later one."""
        with self._lock:
            future = self._inflight.get(key)
            if future is not None:
                tally.add("shared")
                return future
            future = self._pool.submit(self._produce, key, example, tally, trips)
            self._inflight[key] = future
        future.add_done_callback(lambda _f: self._forget(key))
        return future

    def _forget(self, key: str) -> None:
        with self._lock:
            self._inflight.pop(key, None)

    # --- one example -------------------------------------------------------------------------
    def _produce(self, key: str, example: Example, tally: Tally, trips: int) -> list[tuple[int, str]]:
        cached = self.cache.get_many([key]).get(key)
        if cached is not None:  # stored by another process or call since the lookup
            tally.add("cache_hits")
            return cached
        try:
            self._check_reachable(trips)
        except EndpointUnreachable:
            tally.add("failures")
            raise
        lease = self._lease(key, tally)
        if not isinstance(lease, _Lease):  # another process generated it meanwhile
            return lease
        try:
            return self._generate(key, example, tally, trips, lease)
        finally:
            lease.release()

    def _lease(self, key: str, tally: Tally) -> _Lease | list[tuple[int, str]]:
        """Claim ``key`` in the cache, or wait for the live process holding it to store it.

        A record found after waiting counts as ``shared`` (one backend call served both); a lease
        that expires without one (its owner was killed) is taken over.
        """
        waited = False
        while True:
            state = self.cache.claim(key, self.owner, self.lease_ttl_s)
            if state == "claimed":
                return _Lease(self.cache, key, self.owner, self.lease_ttl_s)
            if state == "done":
                tally.add("shared" if waited else "cache_hits")
                return self.cache.get_many([key]).get(key, [])
            if not waited:
                log.debug("example %s is being generated by another process; waiting", key[:12])
                waited = True
            time.sleep(LEASE_POLL_S)

    def _generate(
        self, key: str, example: Example, tally: Tally, trips: int, lease: _Lease
    ) -> list[tuple[int, str]]:
        """The backend's samples for one example, under ``lease``; stored before returning."""
        tally.add("backend_calls")
        n = self.config.samples_per_example
        samples: list[str] = []
        lines: Counter[str] = Counter()  # "produced" and a count per rejection reason
        tokens = [0, 0]
        for round_ in range(1 + self.config.topup_requests):
            need = n - len(samples)
            if need <= 0:
                break
            request = GenerationRequest(example.text, example.label, need, n * round_, self.sampling)
            if round_:
                tally.add("topups")
            try:
                parsed = self._call(key, request, samples, tally, tokens, lines, trips, lease)
            except RetryError as exc:
                if samples:  # keep the lines already generated; the record says fewer were kept
                    log.warning(
                        "example %s: top-up request failed (%s); keeping %d of %d lines",
                        example.example_id,
                        exc,
                        len(samples),
                        n,
                    )
                    break
                tally.add("failures")
                if isinstance(exc.__cause__, EndpointUnreachable):  # not this example's fault
                    raise exc.__cause__ from None
                self.cache.record_error(
                    key,
                    self.backend.name,
                    example.label,
                    example.text,
                    str(exc),
                    exc.attempts,
                    owner=self.owner,
                )
                lease.held = False
                raise GenerationError(str(exc)) from None
            samples.extend(parsed.samples)
        record = ExampleRecord(
            example_key=key,
            backend=self.backend.name,
            model=self.backend.model_id(example.label),
            template=self.backend.adapter.version,
            params=self._params_json,
            label=example.label,
            source_text=example.text,
            asked=n,
            samples=tuple(enumerate(samples)),
            tokens_in=tokens[0],
            tokens_out=tokens[1],
            produced=lines.pop("produced", 0),
            rejected=dict(sorted(lines.items())),
        )
        stored = self.cache.put(record)  # removes the key's lease and error rows
        lease.held = False
        return stored

    def _call(
        self,
        key: str,
        request: GenerationRequest,
        seen: Sequence[str],
        tally: Tally,
        tokens: list[int],
        lines: Counter[str],
        trips: int,
        lease: _Lease,
    ) -> ParsedReply:
        """One logical request: rate-limited attempts with retries until a reply parses.

        ``seen``: the example's samples so far; ``lines`` counts every reply's lines (``produced``)
        and rejections by reason, unusable replies included.
        """
        estimate = estimate_tokens(self.backend.render(request).text) + self.config.max_tokens
        attempts = [0]

        def attempt() -> ParsedReply:
            self._check_reachable(trips)
            tally.add("attempts")
            prompt = self.backend.render(dataclasses.replace(request, attempt=attempts[0]))
            attempts[0] += 1
            with self.limiter.slot(estimate) as settle:
                lease.renew()
                try:
                    completion: Completion = self.backend.complete(prompt)
                except BackendError as exc:
                    self._reached(exc)
                    raise
                self._reached(None)
                settle(completion.tokens_in + completion.tokens_out)
            tally.add("tokens_in", completion.tokens_in)
            tally.add("tokens_out", completion.tokens_out)
            tokens[0] += completion.tokens_in
            tokens[1] += completion.tokens_out
            parsed = parse_reply(
                completion.text,
                request.text,
                request.n,
                self.config.max_sample_chars,
                list(seen),
                self._instruction,
                self.config.near_copy_similarity,
            )
            lines["produced"] += parsed.produced
            lines.update(parsed.dropped)
            if not parsed.samples:
                raise BackendError(
                    f"reply had no usable line (asked {request.n}; dropped "
                    f"{parsed.dropped or 'nothing: empty reply'})",
                    retryable=True,
                    backoff=self.backend.remote,
                )
            return parsed

        def classify(exc: Exception) -> tuple[bool, float | None, bool | float]:
            if isinstance(exc, BackendError):
                return (exc.retryable, exc.retry_after, CONNECTION_RETRY_S if exc.connection else exc.backoff)
            return False, None, True  # EndpointUnreachable among them

        def on_retry(retry: int, exc: Exception, pause: float) -> None:
            tally.add("retries")
            log.info("retry %d in %.2f s: %s", retry + 1, pause, exc)

        def pause(seconds: float) -> None:  # cut short when the endpoint is declared down
            lease.renew(seconds)
            with self._down:
                self._down.wait_for(lambda: self._trips > trips, timeout=seconds)

        return self.retry.call(attempt, key, classify, on_retry, pause)

    # --- an endpoint that is down ------------------------------------------------------------
    def _reached(self, exc: BackendError | None) -> None:
        """Count connection failures in a row (any reply resets); past the limit, stop all."""
        with self._down:
            if exc is None or not exc.connection:
                if exc is None or exc.status is not None:  # the server answered
                    self._connection_failures = 0
                return
            self._connection_failures += 1
            count, limit = self._connection_failures, self.config.max_connection_failures
            if count < limit:
                return
            if count == limit or not self._down_message:
                endpoint = self.backend.endpoint or self.config.base_url or self.backend.name
                self._down_message = (
                    f"cannot reach the LLM endpoint {endpoint} ({exc.connection}, {count} times "
                    f"in a row); is the server running? Start one with `autogets llm-serve` "
                    f"(Ray Serve) or `autogets llm-server`, or check base_url"
                )
            self._trips += 1
            self._down.notify_all()
            message = self._down_message
        raise EndpointUnreachable(message)

    def _check_reachable(self, trips: int) -> None:
        """Fail an example queued (or retrying) since the endpoint was declared down."""
        with self._down:
            if self._trips > trips:
                raise EndpointUnreachable(self._down_message)

    # --- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.backend.close()
        self.cache.close()

    def __enter__(self) -> "Generator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Lease:
    """A generator's claim on one example in the shared cache (see ``GenerationCache.claim``)."""

    def __init__(self, cache: GenerationCache, key: str, owner: str, ttl_s: float) -> None:
        self.cache, self.key, self.owner, self.ttl_s = cache, key, owner, ttl_s
        self.held = True  # False once put / record_error released it
        self._renewed = time.monotonic()

    def renew(self, extra_s: float = 0.0) -> None:
        """Before each attempt, and for a pause of ``extra_s``: a slow example keeps its lease."""
        now = time.monotonic()
        if not self.held or (not extra_s and now - self._renewed < _RENEW_AFTER_S):
            return
        if not self.cache.renew(self.key, self.owner, self.ttl_s + extra_s):
            log.info(
                "the lease of %s expired and was taken over; the first record stored wins", self.key[:12]
            )
        self._renewed = now

    def release(self) -> None:
        if self.held:
            self.held = False
            self.cache.release(self.key, self.owner)


def _checked(examples: Sequence[Example]) -> list[Example]:
    out = list(examples)
    for position, ex in enumerate(out):
        if not isinstance(ex, Example):
            raise ValueError(
                f"examples[{position}] is a {type(ex).__name__}; pass "
                f"autogets_ray.llm.Example(example_id, text, label) objects"
            )
        if not isinstance(ex.text, str) or not ex.text.strip():
            raise ValueError(f"example {ex.example_id} has an empty text; drop it before generating")
    return out


def build_generator(
    config: GenerationConfig, class_texts: Mapping[str, Sequence[str]] | None = None
) -> Generator:
    """A ready generator: the configured backend (fed ``class_texts``), its cache and limits."""
    backend = create_backend(config, class_texts)
    return Generator(config, backend, GenerationCache(config.cache_path, config.cache_journal_mode))
