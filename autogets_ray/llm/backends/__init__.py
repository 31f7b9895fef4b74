"""LLM backends: ``openai`` (any OpenAI-compatible endpoint), ``ngram`` (offline default) and
``local-lm`` (SmolLM2-135M on the CPU). Importing this package registers all three; none imports
an optional heavy library at module level."""
from __future__ import annotations

from autogets_ray.llm.backends import local_lm, ngram, openai_backend  # noqa: F401  (registration)
from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError, create_backend

__all__ = ["BACKENDS", "Backend", "BackendError", "create_backend"]
