"""LLM generation service: prompts, backends, cache, rate limits, retries and the shared Ray actor.

Ray-free::

    gen = build_generator(GenerationConfig(backend="ngram"), class_texts)
    result = gen.generate([Example(example_id=1, text="...", label="Access")])

Through the one shared actor of a Ray cluster::

    handle = get_llm_service(config, class_texts)
    result = ray.get(handle.generate.remote(examples))
"""

from __future__ import annotations

from autogets_ray.llm.backends import BACKENDS
from autogets_ray.llm.config import CACHE_DIR_ENV, GenerationConfig, default_cache_dir
from autogets_ray.llm.generator import Generator, build_generator
from autogets_ray.llm.service import get_llm_service
from autogets_ray.llm.types import COUNTER_NAMES, Example, GenerationResult

__all__ = [
    "BACKENDS",
    "CACHE_DIR_ENV",
    "COUNTER_NAMES",
    "Example",
    "GenerationConfig",
    "GenerationResult",
    "Generator",
    "build_generator",
    "default_cache_dir",
    "get_llm_service",
]
