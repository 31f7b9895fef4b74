"""Processes on one cache share work through leases; errors never outlive a stored record."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter

from autogets_ray.llm import Example, GenerationConfig, build_generator
from autogets_ray.llm.cache import ExampleRecord, GenerationCache
from autogets_ray.llm.server import Faults
from tests.llm.conftest import openai_config


def _generate_in_child(config: dict, examples: list[tuple[int, str, str]], start, out) -> None:
    """A spawned process: one generator on the shared cache, started with the other at once."""
    with build_generator(GenerationConfig.from_dict(config)) as gen:
        start.wait(timeout=120)
        result = gen.generate([Example(*ex) for ex in examples])
    out.put(([tuple(row) for row in result.samples.itertuples(index=False)], result.errors, result.counters))


def test_two_processes_generating_the_same_examples_call_the_backend_once_each(
    make_server, fake_key, texts, tmp_path
):
    server = make_server(Faults(latency_s=0.3))
    config = openai_config(server, tmp_path / "cache", topup_requests=0).to_dict()
    examples = [(i, text, "Hardware") for i, text in enumerate(texts["Hardware"][:10])]
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_generate_in_child, args=(config, examples, start, out)) for _ in range(2)]
    for proc in procs:
        proc.start()
    try:
        results = [out.get(timeout=180) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=60)
    assert all(proc.exitcode == 0 for proc in procs)
    (samples_a, errors_a, counters_a), (samples_b, errors_b, counters_b) = results
    asked = Counter(r.text for r in server.records if r.path == "/v1/chat/completions")
    assert len(asked) == 10 and set(asked.values()) == {1}  # one chat request per example
    assert errors_a == errors_b == {} and samples_a == samples_b and len(samples_a) == 50
    assert counters_a["backend_calls"] + counters_b["backend_calls"] == 10
    served = sum(c["shared"] + c["cache_hits"] for c in (counters_a, counters_b))
    assert served == 10 and counters_a["shared"] + counters_b["shared"] >= 1
    with GenerationCache(tmp_path / "cache" / "generations.sqlite") as store:
        stats = store.stats()
        leases = store._conn().execute("SELECT COUNT(*) FROM leases").fetchone()[0]
    assert (stats["examples"], stats["errors"], leases) == (10, 0, 0)


def test_a_stale_error_is_gone_after_a_later_successful_run(make_server, fake_key, texts, tmp_path):
    text = texts["Email"][3]
    failing = make_server(Faults(fail_texts=(" ".join(text.split()),)))
    with build_generator(openai_config(failing, tmp_path, max_retries=1)) as gen:
        assert set(gen.generate([Example(1, text, "Email")]).errors) == {1}
        assert gen.cache.stats()["errors"] == 1
    with build_generator(openai_config(make_server(), tmp_path)) as gen:
        assert gen.generate([Example(1, text, "Email")]).errors == {}
        assert gen.cache.stats()["errors"] == 0 and gen.cache.errors().empty
        again = gen.generate([Example(1, text, "Email")])  # a clean rerun: all from the cache
        assert again.counters["cache_hits"] == 1 and gen.cache.stats()["errors"] == 0


def record(key: str, text: str = "source") -> ExampleRecord:
    return ExampleRecord(key, "ngram", "m", "t", "{}", "A", text, 2, ((0, "one"), (1, "two")))


def test_an_error_after_the_record_is_not_kept(tmp_path):
    with GenerationCache(tmp_path / "c.sqlite") as store:
        store.put(record("k1"))
        store.record_error("k1", "ngram", "A", "source", "gave up (another process)", 3)
        store.record_error("k2", "ngram", "A", "source", "gave up", 3)
        assert store.stats()["errors"] == 1 and store.errors()["example_key"].tolist() == ["k2"]
        # an error row older than that rule, beside a record: not counted, and a put clears it
        store._conn().execute("INSERT INTO errors VALUES ('k1','ngram','A','s','old',1,0)")
        assert store.stats()["errors"] == 1
        store.put(record("k1"))  # ignored (the record exists) but still clears the key's errors
        assert (
            store._conn().execute("SELECT COUNT(*) FROM errors WHERE example_key = 'k1'").fetchone()[0] == 0
        )


def test_a_lease_is_claimed_by_one_owner_until_it_expires(tmp_path):
    with GenerationCache(tmp_path / "c.sqlite") as store:
        assert store.claim("k", "a", ttl_s=0.3) == "claimed"
        assert store.claim("k", "b", ttl_s=60) == "held"
        assert store.claim("k", "a", ttl_s=0.3) == "claimed"  # its own lease
        time.sleep(0.4)
        assert store.claim("k", "b", ttl_s=60) == "claimed"  # expired: taken over
        assert not store.renew("k", "a", 60) and store.renew("k", "b", 60)
        store.release("k", "a")  # not a's any more: kept
        assert store.claim("k", "a", ttl_s=60) == "held"
        store.put(record("k"))
        assert store.claim("k", "a", ttl_s=60) == "done"
        assert store._conn().execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0


HOLDER = textwrap.dedent("""
    import sys
    from autogets_ray.llm import Example, GenerationConfig, build_generator
    gen = build_generator(GenerationConfig.from_dict(__import__("json").loads(sys.argv[1])))
    gen.lease_ttl_s = 1.0  # short, so the test need not wait a minute after the kill
    gen.generate([Example(1, sys.argv[2], "Email")])
""")


def test_a_lease_of_a_killed_owner_is_taken_over(make_server, fake_key, texts, tmp_path):
    server = make_server(Faults(script=["slow"], slow_s=60))  # the killed owner's request hangs
    config = openai_config(server, tmp_path, timeout_s=30)
    text = texts["Email"][4]
    child = subprocess.Popen([sys.executable, "-c", HOLDER, json.dumps(config.to_dict()), text])
    try:
        for _ in range(600):  # bounded: start-up, then its one request
            if server.arrivals() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert len(server.arrivals()) == 1
        with sqlite3.connect(config.cache_path) as conn:
            (owner,) = conn.execute("SELECT owner FROM leases").fetchone()
        assert f":{child.pid}:" in owner
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    with build_generator(config) as gen:
        result = gen.generate([Example(1, text, "Email")])
    assert result.errors == {} and len(result.samples) > 0
    assert result.counters["backend_calls"] == 1 and len(server.arrivals()) >= 2
    with sqlite3.connect(config.cache_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0] == 0
