"""The persistent cache: hits and misses, what the key covers, transfer, crashes, concurrency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from autogets_ray.llm import Example, GenerationConfig, build_generator
from autogets_ray.llm.cache import GenerationCache
from autogets_ray.llm.keys import generation_params


def examples(texts, label="Security", k=4):
    return [Example(100 + i, t, label) for i, t in enumerate(texts[label][:k])]


def test_first_call_misses_second_hits_with_the_same_samples(ngram_config, texts):
    batch = examples(texts)
    with build_generator(ngram_config, texts) as gen:
        first = gen.generate(batch)
    with build_generator(ngram_config, texts) as gen:  # a new process would see the same
        second = gen.generate(batch)
    assert (first.counters["cache_hits"], first.counters["backend_calls"]) == (0, 4)
    assert (second.counters["cache_hits"], second.counters["backend_calls"]) == (4, 0)
    pd.testing.assert_frame_equal(first.samples, second.samples)
    assert list(first.samples.columns) == ["source_id", "label", "sample_index", "text"]
    assert set(first.samples["source_id"]) == {100, 101, 102, 103}
    assert (first.samples.groupby("source_id").size() == 5).all()


def test_any_subset_is_served_from_the_cache(ngram_config, texts):
    batch = examples(texts, k=6)
    with build_generator(ngram_config, texts) as gen:
        full = gen.generate(batch)
        part = gen.generate(batch[1:4])
    assert part.counters["cache_hits"] == 3 and part.counters["backend_calls"] == 0
    expected = full.samples[full.samples["source_id"].isin([101, 102, 103])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.samples, expected)


CHANGES = {
    "samples_per_example": 4,
    "temperature": 0.9,
    "max_tokens": 500,
    "top_p": 0.6,
    "frequency_penalty": 0.1,
    "presence_penalty": 0.2,
    "prompt_kind": "email",
    "max_sample_chars": 300,
    "topup_requests": 2,
    "seed": 7,
    "near_copy_similarity": 0.7,
}


def test_the_key_covers_every_generation_parameter():
    # "filter" is the quality rules' version: new rules, new keys
    assert set(CHANGES) | {"filter"} == set(generation_params(GenerationConfig()))


@pytest.mark.parametrize("field, value", sorted(CHANGES.items()))
def test_changing_a_generation_parameter_misses(ngram_config, texts, field, value):
    batch = examples(texts, k=2)
    with build_generator(ngram_config, texts) as gen:
        gen.generate(batch)
    with build_generator(ngram_config.replace(**{field: value}), texts) as gen:
        result = gen.generate(batch)
    assert result.counters["cache_hits"] == 0 and result.counters["backend_calls"] == 2


def test_changing_the_class_texts_misses(ngram_config, texts):
    batch = examples(texts, k=2)
    with build_generator(ngram_config, texts) as gen:
        gen.generate(batch)
    fewer = {**texts, "Security": texts["Security"][:-1]}
    with build_generator(ngram_config, fewer) as gen:
        assert gen.generate(batch).counters["cache_hits"] == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("max_in_flight", 2),
        ("timeout_s", 5.0),
        ("requests_per_minute", 100.0),
        ("max_retries", 1),
        ("base_url", "http://127.0.0.1:9/v1"),
    ],
)
def test_settings_that_do_not_change_samples_still_hit(ngram_config, texts, field, value):
    batch = examples(texts, k=2)
    with build_generator(ngram_config, texts) as gen:
        gen.generate(batch)
    with build_generator(ngram_config.replace(**{field: value}), texts) as gen:
        assert gen.generate(batch).counters["cache_hits"] == 2


def test_export_then_import_moves_every_record(ngram_config, texts, tmp_path):
    batch = examples(texts, k=5)
    with build_generator(ngram_config, texts) as gen:
        original = gen.generate(batch)
        rows = gen.cache.export(tmp_path / "pool.parquet")
    assert rows == 25
    other = ngram_config.replace(cache_dir=str(tmp_path / "other"))
    with GenerationCache(other.cache_path) as store:
        assert store.import_(tmp_path / "pool.parquet")["examples_added"] == 5
        assert store.import_(tmp_path / "pool.parquet")["examples_skipped"] == 5
    with build_generator(other, texts) as gen:
        moved = gen.generate(batch)
    assert moved.counters["backend_calls"] == 0
    pd.testing.assert_frame_equal(moved.samples, original.samples)


def test_import_rejects_files_that_are_not_exports(tmp_path, ngram_config):
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "x.parquet")
    with GenerationCache(ngram_config.cache_path) as store:
        with pytest.raises(ValueError, match="lacks the column"):
            store.import_(tmp_path / "x.parquet")
        with pytest.raises(ValueError, match="does not exist"):
            store.import_(tmp_path / "missing.parquet")


WRITER = textwrap.dedent("""
    import sys
    from autogets_ray.data.datasets import DatasetRequest, load_dataset
    from autogets_ray.data.splits import paper_split
    from autogets_ray.llm import Example, GenerationConfig, build_generator
    from autogets_ray.llm.data import class_texts
    texts = class_texts(paper_split(load_dataset(DatasetRequest("demo-tickets")), seed=42))
    gen = build_generator(GenerationConfig(cache_dir=sys.argv[1]), texts)
    for i, text in enumerate(texts["Hardware"] * 3):
        result = gen.generate([Example(i, text + " " + str(i), "Hardware")])
        print(i, flush=True)  # example i is committed
""")


def test_a_writer_killed_mid_run_leaves_a_readable_cache_with_every_completed_example(tmp_path, texts):
    cache_dir = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(cache_dir)], stdout=subprocess.PIPE, text=True
    )
    done = []
    try:
        for line in child.stdout:  # bounded: the writer has ~2,700 examples
            done.append(int(line))
            if len(done) >= 60:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL and len(done) >= 60
    # readable and consistent
    conn = sqlite3.connect(cache_dir / "generations.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    config = GenerationConfig(cache_dir=str(cache_dir))
    with build_generator(config, texts) as gen:
        again = gen.generate(
            [
                Example(i, texts["Hardware"][i % len(texts["Hardware"])] + " " + str(i), "Hardware")
                for i in done
            ]
        )
    assert again.counters["cache_hits"] == len(done) and again.counters["backend_calls"] == 0
    assert (again.samples.groupby("source_id").size() == 5).all()


READER_WRITER = textwrap.dedent("""
    import sys
    from autogets_ray.llm import Example, GenerationConfig, build_generator
    texts = {"A": ["disk full on server", "backup job failed overnight", "restore deleted folder"]}
    gen = build_generator(GenerationConfig(cache_dir=sys.argv[1], seed=0), texts)
    shift = int(sys.argv[2])
    batch = [Example(i, f"ticket {i} disk full backup failed", "A") for i in range(60)]
    batch = batch[shift:] + batch[:shift]
    result = gen.generate(batch)
    print(len(result.samples), len(result.errors))
""")


def test_concurrent_writer_processes_share_one_store(tmp_path):
    cache_dir = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER_WRITER, str(cache_dir), str(shift)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for shift in (0, 20, 40)
    ]
    outputs = [p.communicate(timeout=240)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(out == ["300", "0"] for out in outputs)
    with GenerationCache(cache_dir / "generations.sqlite") as store:
        stats = store.stats()
    assert stats["examples"] == 60 and stats["samples"] == 300


def test_quality_counts_round_trip_and_an_old_cache_gains_the_columns(tmp_path, ngram_config, texts):
    import sqlite3

    from autogets_ray.llm.cache import ExampleRecord, GenerationCache

    old = tmp_path / "old" / "generations.sqlite"
    old.parent.mkdir()
    with sqlite3.connect(old) as conn:  # the examples table as the first release wrote it
        conn.executescript(
            "CREATE TABLE examples (example_key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT "
            "NOT NULL, template TEXT NOT NULL, params TEXT NOT NULL, label TEXT, source_text TEXT NOT "
            "NULL, asked INTEGER NOT NULL, kept INTEGER NOT NULL, tokens_in INTEGER NOT NULL, "
            "tokens_out INTEGER NOT NULL, created_at REAL NOT NULL);"
            "INSERT INTO examples VALUES ('k0','ngram','m','paper-v1','{}','A','src',5,0,0,0,0);"
        )
    with GenerationCache(old) as cache:
        cache.put(
            ExampleRecord(
                "k1",
                "ngram",
                "m",
                "paper-v1",
                "{}",
                "A",
                "a b c",
                5,
                ((0, "x y z"), (1, "x y w")),
                produced=7,
                rejected={"copy": 2, "non_text": 3},
            )
        )
        records = {r.example_key: r for r in cache.records()}
        assert records["k0"].produced is None and records["k0"].rejected == {}
        assert records["k1"].produced == 7 and records["k1"].rejected == {"copy": 2, "non_text": 3}
        quality = cache.pool_qualities()[("ngram", "m", "paper-v1", "A")]
        assert quality["copy_rate"] == round(2 / 7, 4) and quality["kept_rate"] == 0.2
        cache.put_judgements(
            "linear@x", [(records["k1"].samples[0][0], "A", True), (records["k1"].samples[1][0], "B", False)]
        )
        assert cache.pool_qualities()[("ngram", "m", "paper-v1", "A")]["label_fidelity"] == 0.5
        cache.export(tmp_path / "pool.parquet")
    with GenerationCache(tmp_path / "new" / "generations.sqlite") as fresh:
        fresh.import_(tmp_path / "pool.parquet")
        (record,) = fresh.records()
        assert record.produced == 7 and record.rejected == {"copy": 2, "non_text": 3}
