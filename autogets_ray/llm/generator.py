"""The Ray-free generator: backend wrapped in cache, single-flight, rate limits and retries.

One request per selected example (paper App. B.1): ``samples_per_example`` lines asked in one
prompt, parsed into clean samples; if a reply keeps fewer, up to ``topup_requests`` more requests
ask for the missing lines. Every example is cached as soon as it is done, so an interrupted run
loses nothing that finished, and any later subset touching the example is served from the cache.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from autogets_ray.llm.backends.base import Backend, BackendError, create_backend, estimate_tokens
from autogets_ray.llm.cache import ExampleRecord, GenerationCache, params_json
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.keys import example_key, generation_params
from autogets_ray.llm.parsing import ParsedReply, normalise, parse_reply
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


class GenerationError(Exception):
    """An example whose generation kept failing (the message is what the trial reports)."""


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
            values["tokens_in"] / 1000 * price_in + values["tokens_out"] / 1000 * price_out, 6)
        return {k: (int(v) if k != "estimated_cost" else float(v)) for k, v in values.items()}


class Generator:
    """``generate(examples) -> GenerationResult``; thread-safe, one backend call per distinct example."""

    def __init__(self, config: GenerationConfig, backend: Backend, cache: GenerationCache) -> None:
        self.config = config
        self.backend = backend
        self.cache = cache
        self.params = generation_params(config)
        self._params_json = params_json(self.params)
        self.sampling = SamplingParams(config.temperature, config.max_tokens, config.top_p,
                                       config.frequency_penalty, config.presence_penalty, config.seed)

        def pick(value: float | None, default: float) -> float:
            return default if value is None else value

        self.limiter = RateLimiter(
            pick(config.requests_per_minute, backend.default_requests_per_minute),
            pick(config.tokens_per_minute, backend.default_tokens_per_minute),
            config.rate_period_s, config.max_in_flight)
        self.price_in = pick(config.price_in_per_1k, backend.default_price_in_per_1k)
        self.price_out = pick(config.price_out_per_1k, backend.default_price_out_per_1k)
        self.retry = RetryPolicy(config.max_retries, config.backoff_base_s, config.backoff_max_s,
                                 config.max_retry_after_s, config.seed)
        self._pool = ThreadPoolExecutor(max_workers=config.max_in_flight,
                                        thread_name_prefix="autogets-llm")
        self._inflight: dict[str, Future[list[tuple[int, str]]]] = {}
        self._lock = threading.Lock()
        self._totals = Tally()

    # --- keys and class texts ----------------------------------------------------------------
    def key_for(self, example: Example) -> str:
        return example_key(self.backend.name, self.backend.model_id(example.label),
                           self.backend.adapter.version, self.params, example.text)

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
        for key, group in waiting.items():
            futures[key] = self._start(key, group[0], tally)
            tally.add("shared", len(group) - 1)  # same text twice in one call: one backend call
        errors: dict[int, str] = {}
        key_of = {future: key for key, future in futures.items()}
        for future in as_completed(key_of):
            key = key_of[future]
            try:
                found[key] = future.result()
            except GenerationError as exc:
                for ex in waiting[key]:
                    errors[ex.example_id] = f"example {ex.example_id} (class {ex.label!r}): {exc}"
            if progress is not None:
                progress(len(waiting[key]))
        rows = [(ex.example_id, ex.label, index, text)
                for ex, key in zip(examples, keys) for index, text in found.get(key, [])]
        tally.add("samples", len(rows))
        return GenerationResult(samples_frame(rows), errors,
                                tally.snapshot(self.price_in, self.price_out))

    # --- single flight -----------------------------------------------------------------------
    def _start(self, key: str, example: Example, tally: Tally) -> Future[list[tuple[int, str]]]:
        """The in-flight future for ``key``, or a new one: duplicates share one backend call."""
        with self._lock:
            future = self._inflight.get(key)
            if future is not None:
                tally.add("shared")
                return future
            future = self._pool.submit(self._produce, key, example, tally)
            self._inflight[key] = future
        future.add_done_callback(lambda _f: self._forget(key))
        return future

    def _forget(self, key: str) -> None:
        with self._lock:
            self._inflight.pop(key, None)

    # --- one example -------------------------------------------------------------------------
    def _produce(self, key: str, example: Example, tally: Tally) -> list[tuple[int, str]]:
        cached = self.cache.get_many([key]).get(key)
        if cached is not None:  # stored by another process or call since the lookup
            tally.add("cache_hits")
            return cached
        tally.add("backend_calls")
        n = self.config.samples_per_example
        samples: list[str] = []
        seen: set[str] = set()
        tokens = [0, 0]
        for round_ in range(1 + self.config.topup_requests):
            need = n - len(samples)
            if need <= 0:
                break
            request = GenerationRequest(example.text, example.label, need, n * round_, self.sampling)
            if round_:
                tally.add("topups")
            try:
                parsed = self._call(key, request, seen, tally, tokens)
            except RetryError as exc:
                if samples:  # keep the lines already generated; the record says fewer were kept
                    log.warning("example %s: top-up request failed (%s); keeping %d of %d lines",
                                example.example_id, exc, len(samples), n)
                    break
                tally.add("failures")
                self.cache.record_error(key, self.backend.name, example.label, example.text,
                                        str(exc), exc.attempts)
                raise GenerationError(str(exc)) from None
            samples.extend(parsed.samples)
            seen.update(normalise(s) for s in parsed.samples)
        record = ExampleRecord(
            example_key=key, backend=self.backend.name, model=self.backend.model_id(example.label),
            template=self.backend.adapter.version, params=self._params_json, label=example.label,
            source_text=example.text, asked=n,
            samples=tuple(enumerate(samples)), tokens_in=tokens[0], tokens_out=tokens[1],
        )
        return self.cache.put(record)

    def _call(self, key: str, request: GenerationRequest, seen: set[str], tally: Tally,
              tokens: list[int]) -> ParsedReply:
        """One logical request: rate-limited attempts with retries until a reply parses."""
        estimate = estimate_tokens(self.backend.render(request).text) + self.config.max_tokens
        attempts = [0]

        def attempt() -> ParsedReply:
            tally.add("attempts")
            prompt = self.backend.render(dataclasses.replace(request, attempt=attempts[0]))
            attempts[0] += 1
            with self.limiter.slot(estimate) as settle:
                completion: Completion = self.backend.complete(prompt)
                settle(completion.tokens_in + completion.tokens_out)
            tally.add("tokens_in", completion.tokens_in)
            tally.add("tokens_out", completion.tokens_out)
            tokens[0] += completion.tokens_in
            tokens[1] += completion.tokens_out
            parsed = parse_reply(completion.text, request.text, request.n,
                                 self.config.max_sample_chars, seen)
            if not parsed.samples:
                raise BackendError(f"reply had no usable line (asked {request.n}; dropped "
                                   f"{parsed.dropped or 'nothing: empty reply'})", retryable=True,
                                   backoff=self.backend.remote)
            return parsed

        def classify(exc: Exception) -> tuple[bool, float | None, bool]:
            if isinstance(exc, BackendError):
                return exc.retryable, exc.retry_after, exc.backoff
            return False, None, True

        def on_retry(retry: int, exc: Exception, pause: float) -> None:
            tally.add("retries")
            log.info("retry %d in %.2f s: %s", retry + 1, pause, exc)

        return self.retry.call(attempt, key, classify, on_retry)

    # --- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.backend.close()
        self.cache.close()

    def __enter__(self) -> "Generator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _checked(examples: Sequence[Example]) -> list[Example]:
    out = list(examples)
    for position, ex in enumerate(out):
        if not isinstance(ex, Example):
            raise ValueError(f"examples[{position}] is a {type(ex).__name__}; pass "
                             f"autogets_ray.llm.Example(example_id, text, label) objects")
        if not isinstance(ex.text, str) or not ex.text.strip():
            raise ValueError(f"example {ex.example_id} has an empty text; drop it before generating")
    return out


def build_generator(config: GenerationConfig,
                    class_texts: Mapping[str, Sequence[str]] | None = None) -> Generator:
    """A ready generator: the configured backend (fed ``class_texts``), its cache and limits."""
    backend = create_backend(config, class_texts)
    return Generator(config, backend, GenerationCache(config.cache_path, config.cache_journal_mode))
