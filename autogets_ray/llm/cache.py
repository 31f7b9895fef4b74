"""The persistent generation cache: one SQLite file, one record per example, one row per sample.

Why SQLite in WAL mode: every example is committed in its own transaction, so a killed process
loses at most the example it was writing and never corrupts the file; many readers and one writer
at a time work across threads and processes (``busy_timeout`` queues writers). On a network
filesystem (NFS), where WAL's shared memory does not work, set ``cache_journal_mode: delete``.

Tables: ``examples`` (key, backend, model, template, params, label, source text, lines asked and
kept, tokens), ``samples`` (key, example key, index, text) and ``errors`` (the last error of
examples that kept failing; removed when the example later succeeds). ``export``/``import_``
move records between machines as Parquet.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from autogets_ray.llm.keys import sample_key

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS examples (
    example_key TEXT PRIMARY KEY,
    backend TEXT NOT NULL, model TEXT NOT NULL, template TEXT NOT NULL, params TEXT NOT NULL,
    label TEXT, source_text TEXT NOT NULL,
    asked INTEGER NOT NULL, kept INTEGER NOT NULL,
    tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    sample_key TEXT PRIMARY KEY,
    example_key TEXT NOT NULL REFERENCES examples(example_key),
    sample_index INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_by_example ON samples(example_key, sample_index);
CREATE TABLE IF NOT EXISTS errors (
    example_key TEXT PRIMARY KEY, backend TEXT NOT NULL, label TEXT, source_text TEXT NOT NULL,
    message TEXT NOT NULL, attempts INTEGER NOT NULL, at REAL NOT NULL
);
"""
EXPORT_COLUMNS = (
    "example_key", "backend", "model", "template", "params", "label", "source_text", "asked",
    "kept", "tokens_in", "tokens_out", "created_at", "sample_key", "sample_index", "text",
)
_CHUNK = 500


@dataclass(frozen=True)
class ExampleRecord:
    """One example's generation: what made it and its samples ``(index, text)``."""

    example_key: str
    backend: str
    model: str
    template: str
    params: str  # JSON of keys.generation_params
    label: str | None
    source_text: str
    asked: int
    samples: tuple[tuple[int, str], ...]
    tokens_in: int = 0
    tokens_out: int = 0


class GenerationCache:
    """Thread-safe (a connection per thread) and process-safe SQLite store of generations."""

    def __init__(self, path: str | Path, journal_mode: str = "wal", busy_timeout_s: float = 60.0) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create the cache directory {self.path.parent}: {exc}; set "
                             f"cache_dir or AUTOGETS_CACHE_DIR to a writable directory") from None
        self.journal_mode = journal_mode
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.executescript(_SCHEMA)  # idempotent; autocommit, so no transaction around it
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    # --- connections -----------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # one connection per thread; check_same_thread=False only so close() can close them all
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            conn.execute(f"PRAGMA journal_mode = {self.journal_mode}")
            conn.execute("PRAGMA synchronous = NORMAL" if self.journal_mode == "wal"
                         else "PRAGMA synchronous = FULL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _write(self) -> "_Transaction":
        return _Transaction(self._conn())

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> "GenerationCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads -----------------------------------------------------------------------------
    def get_many(self, keys: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        """Samples ``(index, text)`` of every key that has a record; missing keys are absent."""
        found: dict[str, list[tuple[int, str]]] = {}
        wanted = list(dict.fromkeys(keys))
        conn = self._conn()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT e.example_key, s.sample_index, s.text FROM examples e "
                f"LEFT JOIN samples s ON s.example_key = e.example_key "
                f"WHERE e.example_key IN ({marks}) ORDER BY e.example_key, s.sample_index",
                chunk,
            ).fetchall()
            for key, index, text in rows:
                bucket = found.setdefault(key, [])
                if index is not None:
                    bucket.append((int(index), text))
        return found

    # --- writes ----------------------------------------------------------------------------
    def put(self, record: ExampleRecord) -> list[tuple[int, str]]:
        """Store a record atomically; if another writer got there first, return its samples."""
        with self._write() as conn:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO examples VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (record.example_key, record.backend, record.model, record.template, record.params,
                 record.label, record.source_text, record.asked, len(record.samples),
                 record.tokens_in, record.tokens_out, time.time()),
            ).rowcount
            if inserted:
                conn.executemany(
                    "INSERT OR IGNORE INTO samples VALUES (?,?,?,?)",
                    [(sample_key(record.example_key, i), record.example_key, i, text)
                     for i, text in record.samples],
                )
            conn.execute("DELETE FROM errors WHERE example_key = ?", (record.example_key,))
        if inserted:
            return list(record.samples)
        return self.get_many([record.example_key]).get(record.example_key, [])

    def record_error(self, key: str, backend: str, label: str | None, source_text: str,
                     message: str, attempts: int) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO errors VALUES (?,?,?,?,?,?,?)",
                         (key, backend, label, source_text, message, attempts, time.time()))

    # --- reporting and transfer --------------------------------------------------------------
    def stats(self) -> dict[str, object]:
        conn = self._conn()
        examples, kept, asked = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(kept),0), COALESCE(SUM(asked),0) FROM examples").fetchone()
        samples = conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        errors = conn.execute("SELECT COUNT(*) FROM errors").fetchone()[0]
        groups = conn.execute(
            "SELECT backend, model, COALESCE(label, ''), COUNT(*), SUM(kept), SUM(tokens_in), "
            "SUM(tokens_out) FROM examples GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {
            "path": str(self.path),
            "bytes": size,
            "examples": int(examples),
            "samples": int(samples),
            "lines_asked": int(asked),
            "lines_kept": int(kept),
            "errors": int(errors),
            "groups": [
                {"backend": b, "model": m, "label": lb, "examples": int(n), "samples": int(k or 0),
                 "tokens_in": int(ti or 0), "tokens_out": int(to or 0)}
                for b, m, lb, n, k, ti, to in groups
            ],
        }

    def errors(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM errors ORDER BY at", self._conn())

    def export(self, path: str | Path, label: str | None = None, backend: str | None = None) -> int:
        """Write every record (optionally of one label / backend) to Parquet; returns sample rows."""
        where, args = [], []
        if label is not None:
            where.append("e.label = ?")
            args.append(label)
        if backend is not None:
            where.append("e.backend = ?")
            args.append(backend)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        frame = pd.read_sql_query(
            f"SELECT e.example_key, e.backend, e.model, e.template, e.params, e.label, "
            f"e.source_text, e.asked, e.kept, e.tokens_in, e.tokens_out, e.created_at, "
            f"s.sample_key, s.sample_index, s.text FROM examples e "
            f"JOIN samples s ON s.example_key = e.example_key {clause} "
            f"ORDER BY e.example_key, s.sample_index",
            self._conn(), params=args,
        )
        out = Path(path).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(out, index=False)
        return len(frame)

    def import_(self, path: str | Path) -> dict[str, int]:
        """Add the records of an exported Parquet file; existing records are kept as they are."""
        source = Path(path).expanduser()
        if not source.is_file():
            raise ValueError(f"{source} does not exist or is not a file (expected a Parquet export)")
        try:
            frame = pd.read_parquet(source)
        except Exception as exc:
            raise ValueError(f"cannot read {source} as Parquet: {exc}") from None
        missing = [c for c in EXPORT_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"{source} lacks the column(s) {', '.join(missing)} of a cache export")
        added = skipped = 0
        for key, rows in frame.groupby("example_key", sort=False):
            rows = rows.sort_values("sample_index")
            first = rows.iloc[0]
            bad = [int(i) for k, i in zip(rows["sample_key"], rows["sample_index"])
                   if k != sample_key(str(key), int(i))]
            if bad:
                raise ValueError(f"{source}: sample keys of example {key} do not match their "
                                 f"indices {bad}; the file was edited or is corrupt")
            record = ExampleRecord(
                example_key=str(key), backend=str(first["backend"]), model=str(first["model"]),
                template=str(first["template"]), params=str(first["params"]),
                label=None if pd.isna(first["label"]) else str(first["label"]),
                source_text=str(first["source_text"]), asked=int(first["asked"]),
                samples=tuple((int(i), str(t)) for i, t in zip(rows["sample_index"], rows["text"])),
                tokens_in=int(first["tokens_in"]), tokens_out=int(first["tokens_out"]),
            )
            if self.get_many([record.example_key]):
                skipped += 1
            else:
                self.put(record)
                added += 1
        return {"examples_added": added, "examples_skipped": skipped, "sample_rows": len(frame)}


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def params_json(params: dict[str, object]) -> str:
    return json.dumps(params, sort_keys=True)
