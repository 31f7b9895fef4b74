"""LLM backends: ``openai`` (any OpenAI-compatible endpoint), ``ngram`` (offline default),
``local-lm`` (a GGUF model through llama.cpp) and ``transformers-gguf`` (the same file through
transformers, for comparison). Importing this package registers them; none imports an optional
heavy library at module level."""

from __future__ import annotations

from autogets_ray.llm.backends import (  # noqa: F401  (registration)
    local_lm,
    ngram,
    openai_backend,
    transformers_lm,
)
from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError, create_backend

__all__ = ["BACKENDS", "Backend", "BackendError", "create_backend"]
