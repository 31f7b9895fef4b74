"""The shared LLMService Ray actor: get-or-create, concurrent callers, one backend call per example."""

from __future__ import annotations

import pytest

from autogets_ray.llm import Example, GenerationConfig, GenerationResult, get_llm_service
from autogets_ray.llm.server import Faults
from autogets_ray.llm.service import NAMESPACE, actor_name

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    if started:
        ray.shutdown()


def test_one_named_actor_per_config_and_cached_lookups(local_ray, texts, tmp_path):
    config = GenerationConfig(backend="ngram", cache_dir=str(tmp_path))
    handle = get_llm_service(config, texts)
    again = get_llm_service(config, texts)
    assert handle._actor_id == again._actor_id
    assert ray.get_actor(actor_name(config), namespace=NAMESPACE)._actor_id == handle._actor_id
    other = get_llm_service(config.replace(seed=1))
    assert other._actor_id != handle._actor_id

    examples = [Example(i, t, "Access") for i, t in enumerate(texts["Access"][:100])]
    first = ray.get(handle.generate.remote(examples))
    assert isinstance(first, GenerationResult) and first.errors == {}
    assert len(first.samples) == 500 and first.counters["backend_calls"] == 100
    second = ray.get(handle.generate.remote(examples))
    assert second.counters["cache_hits"] == 100 and second.counters["backend_calls"] == 0
    totals = ray.get(handle.counters.remote())
    assert totals["requests"] == 200 and totals["backend_calls"] == 100 and totals["samples"] == 1000


def test_class_texts_are_shipped_once_and_updated_when_they_change(local_ray, texts, tmp_path):
    config = GenerationConfig(backend="ngram", cache_dir=str(tmp_path))
    handle = get_llm_service(config, {"Email": texts["Email"]})
    from autogets_ray.llm.keys import texts_fingerprint

    assert ray.get(handle.missing_class_texts.remote({"Email": texts_fingerprint(texts["Email"])})) == []
    get_llm_service(config, {"Email": texts["Email"][:10]})
    assert ray.get(handle.missing_class_texts.remote({"Email": texts_fingerprint(texts["Email"])})) == [
        "Email"
    ]


def test_concurrent_trials_asking_for_the_same_example_share_one_backend_call(
    local_ray, make_server, texts, tmp_path
):
    server = make_server(Faults(latency_s=0.5))
    config = GenerationConfig(
        backend="openai",
        model="m",
        base_url=server.base_url,
        api_key_env="",
        cache_dir=str(tmp_path),
        backoff_base_s=0.01,
    )
    handle = get_llm_service(config)
    text = texts["Network"][0]
    refs = [handle.generate.remote([Example(i, text, "Network")]) for i in range(8)]
    results = ray.get(refs)
    assert len(server.arrivals()) == 1
    assert all(len(r.samples) == 5 and not r.errors for r in results)
    assert len({tuple(r.samples["text"]) for r in results}) == 1
    totals = ray.get(handle.counters.remote())
    assert totals["backend_calls"] == 1 and totals["requests"] == 8
