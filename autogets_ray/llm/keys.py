"""Cache keys: a hash of (backend, model, template version, generation parameters, example text),
and per sample of that plus the sample index. Never the API key, base URL or rate limits, which do
not change what is generated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from autogets_ray.llm.config import GenerationConfig

KEY_VERSION = 1
#: The version of the sample-quality rules (autogets_ray.llm.quality): new rules, new keys.
QUALITY_FILTER = "quality-v1"


def generation_params(config: GenerationConfig) -> dict[str, Any]:
    """Every configuration value that changes the samples of an example (and nothing else)."""
    return {
        "samples_per_example": config.samples_per_example,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "top_p": config.top_p,
        "frequency_penalty": config.frequency_penalty,
        "presence_penalty": config.presence_penalty,
        "prompt_kind": config.prompt_kind,
        "max_sample_chars": config.max_sample_chars,
        "topup_requests": config.topup_requests,
        "seed": config.seed,
        "filter": QUALITY_FILTER,
        "near_copy_similarity": config.near_copy_similarity,
    }


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def example_key(backend: str, model: str, template: str, params: Mapping[str, Any], text: str) -> str:
    """The key of one example's record."""
    return _digest([KEY_VERSION, backend, model, template, dict(params), text])


def sample_key(example: str, index: int) -> str:
    """The key of sample ``index`` of the example record ``example``."""
    return _digest([example, int(index)])


def texts_fingerprint(texts: Sequence[str]) -> str:
    """Order-independent hash of a class's training texts (identifies a model trained on them)."""
    digest = hashlib.sha256()
    for text in sorted(texts):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]
