"""The openai backend against the local server: the real openai client, injected faults."""

from __future__ import annotations

import threading

import pytest
from openai import OpenAI

from autogets_ray.llm import Example, build_generator
from autogets_ray.llm.server import Faults
from tests.llm.conftest import openai_config


def one(texts, label="Email", i=0, example_id=1):
    return [Example(example_id, texts[label][i], label)]


def test_the_real_openai_client_talks_to_the_local_server(make_server, fake_key):
    server = make_server()
    client = OpenAI(api_key=fake_key, base_url=server.base_url, max_retries=0)
    assert [m.id for m in client.models.list().data] == ["ngram"]
    reply = client.chat.completions.create(
        model="x",
        messages=[
            {
                "role": "user",
                "content": (
                    "Generate 3 lines of the data similar to this format data: outlook calendar invite "
                    "missing put & at the end of each line"
                ),
            }
        ],
    )
    lines = reply.choices[0].message.content.splitlines()
    assert len(lines) == 3 and all(line.endswith("&") for line in lines)
    assert reply.usage.prompt_tokens > 0


def test_generation_through_the_openai_backend(make_server, fake_key, texts, tmp_path):
    server = make_server()
    with build_generator(openai_config(server, tmp_path)) as gen:
        result = gen.generate([Example(i, t, "Email") for i, t in enumerate(texts["Email"][:3])])
    assert result.errors == {} and len(result.samples) == 15
    assert result.counters["backend_calls"] == 3 and result.counters["tokens_in"] > 0
    assert result.counters["estimated_cost"] == 0  # a self-hosted endpoint has no default price
    assert len(server.arrivals()) == 3
    priced = openai_config(server, tmp_path / "priced", price_in_per_1k=0.5, price_out_per_1k=1.5)
    with build_generator(priced) as gen:
        assert gen.generate([Example(9, texts["Email"][5], "Email")]).counters["estimated_cost"] > 0


def test_defaults_are_sized_for_openai_or_for_a_self_hosted_endpoint(make_server, fake_key, tmp_path):
    server = make_server()
    with build_generator(openai_config(server, tmp_path)) as hosted:
        assert hosted.max_in_flight == 64 and hosted.limiter.requests.capacity == 0
        assert hosted.price_in == 0
    openai = openai_config(server, tmp_path, base_url="https://api.openai.com/v1")
    with build_generator(openai) as official:
        assert official.max_in_flight == 8 and official.limiter.requests.capacity == 500
        assert official.price_in > 0
    with build_generator(openai_config(server, tmp_path, max_in_flight=3)) as chosen:
        assert chosen.max_in_flight == 3


def test_retries_obey_retry_after(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(script=["429", "429"], retry_after=0.6))
    with build_generator(openai_config(server, tmp_path)) as gen:
        result = gen.generate(one(texts))
    arrivals = server.arrivals()
    assert len(arrivals) == 3 and result.errors == {}
    assert result.counters["retries"] == 2
    # the backoff alone would wait about 0.01-0.05 s; Retry-After asks for 0.6 s
    assert arrivals[1] - arrivals[0] >= 0.6 and arrivals[2] - arrivals[1] >= 0.6


def test_a_retry_after_beyond_the_limit_fails_at_once(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(script=["429"], retry_after=3600))
    with build_generator(openai_config(server, tmp_path, max_retry_after_s=10)) as gen:
        result = gen.generate(one(texts))
    assert "retry after 3600 s" in result.errors[1] and len(server.arrivals()) == 1


@pytest.mark.parametrize("fault", ["500", "empty", "malformed"])
def test_transient_faults_are_retried(make_server, fake_key, texts, tmp_path, fault):
    server = make_server(Faults(script=[fault]))
    with build_generator(openai_config(server, tmp_path)) as gen:
        result = gen.generate(one(texts))
    assert result.errors == {} and len(result.samples) == 5
    assert result.counters["retries"] == 1 and result.counters["attempts"] == 2, result.counters
    assert [r.fault for r in server.records] == [fault, "ok"]


def test_a_reply_slower_than_the_timeout_is_retried(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(script=["slow"], slow_s=4.0))
    with build_generator(openai_config(server, tmp_path, timeout_s=1.0)) as gen:
        result = gen.generate(one(texts))
    assert result.errors == {} and len(result.samples) == 5
    assert result.counters["retries"] >= 1 and server.records[0].fault == "slow"


def test_a_short_reply_is_topped_up(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(script=["short"], short_by=3))
    with build_generator(openai_config(server, tmp_path)) as gen:
        result = gen.generate(one(texts))
    assert len(result.samples) == 5 and result.counters["topups"] == 1
    assert result.samples["sample_index"].tolist() == [0, 1, 2, 3, 4]


def test_a_persistently_failing_example_yields_a_clear_recorded_error(make_server, fake_key, texts, tmp_path):
    bad = texts["Email"][1]
    server = make_server(Faults(fail_texts=(" ".join(bad.split()),)))
    batch = [Example(1, texts["Email"][0], "Email"), Example(2, bad, "Email")]
    with build_generator(openai_config(server, tmp_path, max_retries=2)) as gen:
        result = gen.generate(batch)
        recorded = gen.cache.errors()
    message = result.errors[2]
    assert set(result.errors) == {2} and set(result.samples["source_id"]) == {1}
    assert message.startswith("example 2 (class 'Email'): gave up after 3 attempts")
    assert "HTTP 500" in message and server.base_url in message
    assert result.counters["failures"] == 1
    assert recorded["source_text"].tolist() == [bad] and recorded["attempts"].tolist() == [3]
    with build_generator(openai_config(server, tmp_path, max_retries=0)) as gen:  # not cached
        assert gen.generate(batch[1:]).counters["backend_calls"] == 1


def test_duplicate_concurrent_requests_cause_one_backend_call(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(latency_s=0.5))
    text = texts["Email"][2]
    results = []
    with build_generator(openai_config(server, tmp_path)) as gen:

        def call(example_id):
            results.append(gen.generate([Example(example_id, text, "Email")]))

        threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        same_call = gen.generate([Example(10, text, "Email"), Example(11, text, "Email")])
        totals = gen.counters()
    assert len(server.arrivals()) == 1
    assert totals["backend_calls"] == 1 and totals["requests"] == 8
    assert sorted(len(r.samples) for r in results) == [5] * 6
    assert {tuple(r.samples["text"]) for r in results} == {tuple(same_call.samples["text"][:5])}
    assert sorted(set(same_call.samples["source_id"])) == [10, 11]


def test_under_a_burst_the_server_sees_at_most_the_configured_rate(make_server, fake_key, texts, tmp_path):
    server = make_server()
    period, limit = 1.0, 4
    config = openai_config(server, tmp_path, requests_per_minute=limit, rate_period_s=period, max_in_flight=8)
    batch = [Example(i, t, "Hardware") for i, t in enumerate(texts["Hardware"][:10])]
    with build_generator(config) as gen:
        result = gen.generate(batch)
    arrivals = sorted(server.arrivals())
    assert result.errors == {} and len(arrivals) == 10
    # any window of one period (less 50 ms for loopback jitter) holds at most `limit` arrivals
    window = period - 0.05
    busiest = max(sum(1 for t in arrivals if start <= t < start + window) for start in arrivals)
    assert busiest <= limit


def test_a_continuation_template_needs_a_self_hosted_endpoint(make_server, fake_key, tmp_path):
    server = make_server()
    with pytest.raises(ValueError, match="OpenAI's chat models do not serve"):
        build_generator(openai_config(server, tmp_path, base_url="", template="list"))
