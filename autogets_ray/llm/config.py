"""``GenerationConfig``: everything that decides how synthetic samples are generated.

Defaults follow the paper (App. B.1): 5 samples per example, temperature 0.7, max tokens 550,
top_p 0.5, frequency penalty 0.3, presence penalty 0.0. The API key is never a field: only the
*name* of the environment variable that holds it (``api_key_env``) is configuration.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from autogets_ray.errors import UserInputError

CACHE_DIR_ENV = "AUTOGETS_CACHE_DIR"
JOURNAL_MODES = ("wal", "delete")


def default_cache_dir() -> str:
    """``$AUTOGETS_CACHE_DIR``, else ``$XDG_CACHE_HOME/autogets-ray``, else ``~/.cache/autogets-ray``."""
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return str(Path(chosen).expanduser())
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base).expanduser() / "autogets-ray")


@dataclass(frozen=True)
class GenerationConfig:
    """How to generate: backend, sampling parameters, cache, rate limits and retries.

    ``template`` names a prompt template (:mod:`autogets_ray.llm.prompts`: ``paper``, ``list``,
    ``chat``, or a pinned ``<name>-v<version>``); empty means the backend's own (``paper`` for
    ``openai``, ``list`` for ``local-lm``). Rate limits and ``max_in_flight`` of ``None`` take the
    backend's default (``openai`` against OpenAI: 500 requests and 200,000 tokens per
    ``rate_period_s``, 8 in flight; against a self-hosted ``base_url``: unlimited, 64 in flight, so
    vLLM or llama.cpp can batch; local backends: unlimited); ``0`` means unlimited. Prices of
    ``None`` take the backend's default (USD per 1,000 tokens). ``near_copy_similarity`` is the
    quality filter's threshold (:mod:`autogets_ray.llm.quality`); ``lm_*`` run ``local-lm``'s
    llama.cpp (threads, context tokens per slot, parallel slots, layers on a GPU).
    """

    backend: str = "ngram"
    model: str = ""
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    samples_per_example: int = 5
    temperature: float = 0.7
    max_tokens: int = 550
    top_p: float = 0.5
    frequency_penalty: float = 0.3
    presence_penalty: float = 0.0
    template: str = ""
    prompt_kind: str = "support ticket"
    max_sample_chars: int = 0  # 0: max(4 x the source's length, 200)
    seed: int = 0
    topup_requests: int = 1
    near_copy_similarity: float = 0.8
    lm_threads: int = 1
    lm_context_size: int = 1024
    lm_parallel: int = 10
    lm_gpu_layers: int = 0
    cache_dir: str = field(default_factory=default_cache_dir)
    cache_journal_mode: str = "wal"
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    rate_period_s: float = 60.0
    max_in_flight: int | None = None
    max_retries: int = 5
    max_connection_failures: int = 3
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    max_retry_after_s: float = 300.0
    timeout_s: float = 60.0
    price_in_per_1k: float | None = None
    price_out_per_1k: float | None = None

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            numeric = "float" in str(spec.type) or "int" in str(spec.type)
            if (
                numeric
                and value is not None
                and (isinstance(value, bool) or not isinstance(value, (int, float)))
            ):
                _check(False, spec.name, value, "must be a number")
            if str(spec.type) in ("int", "int | None") and value is not None and not isinstance(value, int):
                _check(False, spec.name, value, "must be a whole number")
            if str(spec.type) == "str" and not isinstance(value, str):
                _check(False, spec.name, value, "must be a string")
        from autogets_ray.llm.backends import BACKENDS

        _check(
            self.backend in BACKENDS,
            "backend",
            self.backend,
            f"is not an LLM backend; choose one of: {', '.join(BACKENDS.names())}",
        )
        _check(
            self.samples_per_example >= 1,
            "samples_per_example",
            self.samples_per_example,
            "must be at least 1",
        )
        _check(0.0 <= self.temperature <= 2.0, "temperature", self.temperature, "must be in [0, 2]")
        _check(self.max_tokens >= 1, "max_tokens", self.max_tokens, "must be at least 1")
        _check(0.0 < self.top_p <= 1.0, "top_p", self.top_p, "must be in (0, 1]")
        for name in ("frequency_penalty", "presence_penalty"):
            value = getattr(self, name)
            _check(-2.0 <= value <= 2.0, name, value, "must be in [-2, 2]")
        _check(
            self.max_sample_chars >= 0,
            "max_sample_chars",
            self.max_sample_chars,
            "must be 0 (automatic) or positive",
        )
        _check(self.topup_requests >= 0, "topup_requests", self.topup_requests, "must be >= 0")
        _check(
            self.cache_journal_mode in JOURNAL_MODES,
            "cache_journal_mode",
            self.cache_journal_mode,
            f"must be one of {', '.join(JOURNAL_MODES)}",
        )
        for name in ("requests_per_minute", "tokens_per_minute"):
            value = getattr(self, name)
            _check(
                value is None or (value >= 0 and math.isfinite(value)),
                name,
                value,
                "must be >= 0 (0 = unlimited) or unset",
            )
        for name in ("rate_period_s", "timeout_s"):
            _check(getattr(self, name) > 0, name, getattr(self, name), "must be positive")
        _check(
            self.max_in_flight is None or self.max_in_flight >= 1,
            "max_in_flight",
            self.max_in_flight,
            "must be at least 1 or unset",
        )
        _check(
            0.0 < self.near_copy_similarity <= 1.0,
            "near_copy_similarity",
            self.near_copy_similarity,
            "must be in (0, 1] (1 = only exact copies are rejected)",
        )
        for name in ("lm_threads", "lm_context_size", "lm_parallel"):
            _check(getattr(self, name) >= 1, name, getattr(self, name), "must be at least 1")
        _check(
            self.lm_gpu_layers >= -1,
            "lm_gpu_layers",
            self.lm_gpu_layers,
            "must be -1 (every layer), 0 (CPU only) or a number of layers",
        )
        if self.template:
            from autogets_ray.llm.prompts import get_template

            try:
                get_template(self.template)
            except ValueError as exc:
                raise UserInputError(str(exc), key="template", reason=str(exc)) from None
        _check(self.max_retries >= 0, "max_retries", self.max_retries, "must be >= 0")
        _check(
            self.max_connection_failures >= 1,
            "max_connection_failures",
            self.max_connection_failures,
            "must be at least 1",
        )
        for name in ("backoff_base_s", "backoff_max_s", "max_retry_after_s"):
            _check(getattr(self, name) >= 0, name, getattr(self, name), "must be >= 0")
        for name in ("price_in_per_1k", "price_out_per_1k"):
            value = getattr(self, name)
            _check(value is None or value >= 0, name, value, "must be >= 0 or unset")
        if self.api_key_env and not self.api_key_env.replace("_", "").isalnum():
            why = "must be the NAME of an environment variable (letters, digits, _), not the key itself"
            # the value is not repeated: it may be a key pasted by mistake
            raise UserInputError(f"generation option api_key_env {why}", key="api_key_env", reason=why)

    # --- serialisation (YAML experiment configs) -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every field; holds no secret (the key stays in the environment)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> "GenerationConfig":
        """Build from a (YAML) mapping; a wrong or unknown key is a :class:`UserInputError` naming it."""
        values = dict(values or {})
        if "template_version" in values:  # the former name of ``template`` (saved configs)
            legacy = values.pop("template_version")
            values.setdefault("template", legacy)
        if "api_key" in values:
            reason = (
                "never put an API key in a config: set api_key_env to the NAME of the environment "
                "variable that holds it"
            )
            raise UserInputError(reason, key="api_key", reason=reason)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise UserInputError(
                f"unknown generation option(s) {', '.join(unknown)}; valid options: "
                f"{', '.join(sorted(known))}",
                key=unknown[0],
                reason=f"unknown key (valid keys: {', '.join(sorted(known))})",
            )
        return cls(**values)

    def replace(self, **changes: Any) -> "GenerationConfig":
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """A short hash of the whole configuration (names the shared Ray actor)."""
        payload = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir).expanduser() / "generations.sqlite"


def _check(ok: bool, name: str, value: object, why: str) -> None:
    """A :class:`UserInputError` naming option ``name`` unless ``ok``."""
    if not ok:
        raise UserInputError(f"generation option {name}={value!r} {why}", key=name, reason=f"{value!r} {why}")
