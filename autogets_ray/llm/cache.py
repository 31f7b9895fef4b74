"""The persistent generation cache: one SQLite file, one record per example, one row per sample.

Why SQLite in WAL mode: every example is committed in its own transaction, so a killed process
loses at most the example it was writing and never corrupts the file; many readers and one writer
at a time work across threads and processes (``busy_timeout`` queues writers). On a network
filesystem (NFS), where WAL's shared memory does not work, set ``cache_journal_mode: delete``.

Tables: ``examples`` (key, backend, model, template, params, label, source text, lines asked and
kept, tokens), ``samples`` (key, example key, index, text), ``errors`` (the last error of
examples that kept failing; removed when the example later succeeds, and never written for an
example that has a record), ``leases`` (which process is generating an example now, and
until when) and ``judgements`` (what a judge model, M0, predicted for a sample: label fidelity).
``examples`` also holds how many lines the replies produced and how many were rejected, by
reason (the quality metrics of :mod:`autogets_ray.llm.quality`); caches written before those
columns existed gain them on open (unknown for their old records). ``export``/``import_`` move records between machines as Parquet.

Leases share work between processes: the first to :meth:`~GenerationCache.claim` an example
calls the backend, the others wait for its record. A lease expires unless renewed, so an owner
killed with ``kill -9`` blocks nobody for longer than its lease: the next claim takes it over.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.llm.keys import sample_key
from autogets_ray.llm.quality import PoolExample, pool_quality

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
CREATE TABLE IF NOT EXISTS leases (
    example_key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS judgements (
    sample_key TEXT NOT NULL, judge TEXT NOT NULL, predicted TEXT NOT NULL,
    on_target INTEGER NOT NULL, PRIMARY KEY (sample_key, judge)
);
"""
#: Columns added to ``examples`` after its first release: (name, SQL type and default).
_ADDED_COLUMNS = (("produced", "INTEGER"), ("rejected", "TEXT NOT NULL DEFAULT '{}'"))
_EXAMPLE_COLUMNS = (
    "example_key, backend, model, template, params, label, source_text, asked, "
    "kept, tokens_in, tokens_out, created_at, produced, rejected"
)
EXPORT_COLUMNS = (
    "example_key",
    "backend",
    "model",
    "template",
    "params",
    "label",
    "source_text",
    "asked",
    "kept",
    "tokens_in",
    "tokens_out",
    "created_at",
    "sample_key",
    "sample_index",
    "text",
    "produced",
    "rejected",
)
#: Columns an export written before the quality counts may lack (imported as unknown).
_OPTIONAL_EXPORT_COLUMNS = ("produced", "rejected")
_CHUNK = 500
#: Errors that still count: of examples without a record (rows older than this rule may remain).
_FAILING = "example_key NOT IN (SELECT example_key FROM examples)"


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
    produced: int | None = None  # lines the replies held (None: recorded before they were counted)
    rejected: dict[str, int] = field(default_factory=dict)  # rejection reason -> lines


@dataclass(frozen=True)
class StoredExample:
    """An example record as read back, with its samples' keys (for judgements)."""

    example_key: str
    backend: str
    model: str
    template: str
    label: str | None
    source_text: str
    asked: int
    produced: int | None
    rejected: dict[str, int]
    samples: tuple[tuple[str, int, str], ...]  # (sample key, index, text)


class GenerationCache:
    """Thread-safe (a connection per thread) and process-safe SQLite store of generations."""

    def __init__(self, path: str | Path, journal_mode: str = "wal", busy_timeout_s: float = 60.0) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserInputError(
                f"cannot create the cache directory {self.path.parent}: {exc}; set "
                f"cache_dir or AUTOGETS_CACHE_DIR to a writable directory"
            ) from None
        self.journal_mode = journal_mode
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.executescript(_SCHEMA)  # idempotent; autocommit, so no transaction around it
        have = {row[1] for row in conn.execute("PRAGMA table_info(examples)")}
        for name, kind in _ADDED_COLUMNS:
            if name not in have:  # a cache written by an earlier version
                try:
                    conn.execute(f"ALTER TABLE examples ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError:  # another process added it meanwhile
                    pass
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    # --- connections -----------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # one connection per thread; check_same_thread=False only so close() can close them all
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            conn.execute(f"PRAGMA journal_mode = {self.journal_mode}")
            conn.execute(
                "PRAGMA synchronous = NORMAL" if self.journal_mode == "wal" else "PRAGMA synchronous = FULL"
            )
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
            chunk = wanted[start : start + _CHUNK]
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
                f"INSERT OR IGNORE INTO examples ({_EXAMPLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.example_key,
                    record.backend,
                    record.model,
                    record.template,
                    record.params,
                    record.label,
                    record.source_text,
                    record.asked,
                    len(record.samples),
                    record.tokens_in,
                    record.tokens_out,
                    time.time(),
                    record.produced,
                    json.dumps(record.rejected, sort_keys=True),
                ),
            ).rowcount
            if inserted:
                conn.executemany(
                    "INSERT OR IGNORE INTO samples VALUES (?,?,?,?)",
                    [
                        (sample_key(record.example_key, i), record.example_key, i, text)
                        for i, text in record.samples
                    ],
                )
            # whoever stored it, the example is done: no error and no lease of it is left
            conn.execute("DELETE FROM errors WHERE example_key = ?", (record.example_key,))
            conn.execute("DELETE FROM leases WHERE example_key = ?", (record.example_key,))
        if inserted:
            return list(record.samples)
        return self.get_many([record.example_key]).get(record.example_key, [])

    def record_error(
        self,
        key: str,
        backend: str,
        label: str | None,
        source_text: str,
        message: str,
        attempts: int,
        owner: str = "",
    ) -> None:
        """Keep the last error of an example, unless another process has stored its record since.

        ``owner``'s lease of the example is released in the same transaction.
        """
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO errors SELECT ?,?,?,?,?,?,? WHERE NOT EXISTS "
                "(SELECT 1 FROM examples WHERE example_key = ?)",
                (key, backend, label, source_text, message, attempts, time.time(), key),
            )
            if owner:
                conn.execute("DELETE FROM leases WHERE example_key = ? AND owner = ?", (key, owner))

    # --- leases ----------------------------------------------------------------------------
    def claim(self, key: str, owner: str, ttl_s: float) -> str:
        """``"done"`` (a record exists), ``"claimed"`` (``owner`` holds the lease for ``ttl_s``)
        or ``"held"`` (another owner's lease is live): one transaction, so only one process wins.

        An expired lease (its owner died or hung) is taken over.
        """
        now = time.time()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM examples WHERE example_key = ?", (key,)).fetchone():
                return "done"
            row = conn.execute(
                "SELECT owner, expires_at FROM leases WHERE example_key = ?", (key,)
            ).fetchone()
            if row is not None and row[0] != owner and row[1] > now:
                return "held"
            conn.execute("INSERT OR REPLACE INTO leases VALUES (?,?,?)", (key, owner, now + ttl_s))
        return "claimed"

    def renew(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend ``owner``'s lease to ``ttl_s`` from now; ``False`` when it is no longer held."""
        with self._write() as conn:
            return (
                conn.execute(
                    "UPDATE leases SET expires_at = ? WHERE example_key = ? AND owner = ?",
                    (time.time() + ttl_s, key, owner),
                ).rowcount
                > 0
            )

    def release(self, key: str, owner: str) -> None:
        """Give up ``owner``'s lease (no-op when another owner took it over)."""
        with self._write() as conn:
            conn.execute("DELETE FROM leases WHERE example_key = ? AND owner = ?", (key, owner))

    # --- reporting and transfer --------------------------------------------------------------
    def stats(self) -> dict[str, object]:
        conn = self._conn()
        examples, kept, asked = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(kept),0), COALESCE(SUM(asked),0) FROM examples"
        ).fetchone()
        samples = conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        errors = conn.execute(f"SELECT COUNT(*) FROM errors WHERE {_FAILING}").fetchone()[0]
        groups = conn.execute(
            "SELECT backend, model, template, COALESCE(label, ''), COUNT(*), SUM(kept), "
            "SUM(tokens_in), SUM(tokens_out) FROM examples GROUP BY 1, 2, 3, 4 "
            "ORDER BY 1, 2, 3, 4"
        ).fetchall()
        pools = self.pool_qualities()
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
                {
                    "backend": b,
                    "model": m,
                    "template": t,
                    "label": lb,
                    "examples": int(n),
                    "samples": int(k or 0),
                    "tokens_in": int(ti or 0),
                    "tokens_out": int(to or 0),
                    "quality": pools.get((b, m, t, lb)),
                }
                for b, m, t, lb, n, k, ti, to in groups
            ],
        }

    # --- quality -----------------------------------------------------------------------------
    def records(self, keys: Iterable[str] | None = None) -> list[StoredExample]:
        """Every record (or those of ``keys``, in key order) with its samples and their keys."""
        conn = self._conn()
        select = (
            "SELECT e.example_key, e.backend, e.model, e.template, e.label, e.source_text, "
            "e.asked, e.produced, e.rejected, s.sample_key, s.sample_index, s.text "
            "FROM examples e LEFT JOIN samples s ON s.example_key = e.example_key"
        )
        order = " ORDER BY e.example_key, s.sample_index"
        if keys is None:
            rows = conn.execute(select + order).fetchall()
        else:
            wanted, rows = list(dict.fromkeys(keys)), []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows += conn.execute(
                    f"{select} WHERE e.example_key IN ({','.join('?' * len(chunk))}){order}", chunk
                ).fetchall()
        found: dict[str, StoredExample] = {}
        samples: dict[str, list[tuple[str, int, str]]] = {}
        for (
            key,
            backend,
            model,
            template,
            label,
            source,
            asked,
            produced,
            rejected,
            skey,
            index,
            text,
        ) in rows:
            if key not in found:
                found[key] = StoredExample(
                    key,
                    backend,
                    model,
                    template,
                    label,
                    source,
                    int(asked),
                    None if produced is None else int(produced),
                    json.loads(rejected or "{}"),
                    (),
                )
                samples[key] = []
            if skey is not None:
                samples[key].append((skey, int(index), text))
        order_keys = list(found) if keys is None else [k for k in dict.fromkeys(keys) if k in found]
        return [dataclasses.replace(found[k], samples=tuple(samples[k])) for k in order_keys]

    def put_judgements(self, judge: str, rows: Iterable[tuple[str, str, bool]]) -> None:
        """Record ``(sample key, predicted label, on target?)`` rows of the judge model ``judge``."""
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO judgements VALUES (?,?,?,?)",
                [(key, judge, predicted, int(bool(on))) for key, predicted, on in rows],
            )

    def judgements(self, sample_keys: Iterable[str] | None = None) -> dict[str, bool]:
        """sample key -> on target?, by the most recently recorded judge of each sample."""
        conn = self._conn()
        rows = conn.execute("SELECT sample_key, on_target FROM judgements ORDER BY rowid").fetchall()
        wanted = None if sample_keys is None else set(sample_keys)
        return {key: bool(on) for key, on in rows if wanted is None or key in wanted}

    def pool_examples(
        self, keys: Iterable[str] | None = None
    ) -> dict[tuple[str, str, str, str], list[PoolExample]]:
        """(backend, model, template, label) -> what the quality metrics need of its records."""
        records = self.records(keys)
        judged = self.judgements(key for r in records for key, _, _ in r.samples)
        pools: dict[tuple[str, str, str, str], list[PoolExample]] = {}
        for r in records:
            pools.setdefault((r.backend, r.model, r.template, r.label or ""), []).append(
                PoolExample(
                    r.source_text,
                    r.asked,
                    [text for _, _, text in r.samples],
                    r.produced,
                    r.rejected,
                    [judged[key] for key, _, _ in r.samples if key in judged],
                )
            )
        return dict(sorted(pools.items()))

    def pool_qualities(
        self, keys: Iterable[str] | None = None
    ) -> dict[tuple[str, str, str, str], dict[str, object]]:
        """(backend, model, template, label) -> :func:`quality.pool_quality` of its records."""
        return {pool: pool_quality(examples) for pool, examples in self.pool_examples(keys).items()}

    def errors(self) -> pd.DataFrame:
        """The last error of every example that kept failing and has no record since."""
        return pd.read_sql_query(f"SELECT * FROM errors WHERE {_FAILING} ORDER BY at", self._conn())

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
            f"s.sample_key, s.sample_index, s.text, e.produced, e.rejected FROM examples e "
            f"JOIN samples s ON s.example_key = e.example_key {clause} "
            f"ORDER BY e.example_key, s.sample_index",
            self._conn(),
            params=args,
        )
        out = Path(path).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(out, index=False)
        return len(frame)

    def import_(self, path: str | Path) -> dict[str, int]:
        """Add the records of an exported Parquet file; existing records are kept as they are."""
        source = Path(path).expanduser()
        if not source.is_file():
            raise UserInputError(f"{source} does not exist or is not a file (expected a Parquet export)")
        try:
            frame = pd.read_parquet(source)
        except Exception as exc:
            raise UserInputError(f"cannot read {source} as Parquet: {exc}") from None
        missing = [c for c in EXPORT_COLUMNS if c not in frame.columns and c not in _OPTIONAL_EXPORT_COLUMNS]
        if missing:
            raise UserInputError(f"{source} lacks the column(s) {', '.join(missing)} of a cache export")
        added = skipped = 0
        for key, rows in frame.groupby("example_key", sort=False):
            rows = rows.sort_values("sample_index")
            first = rows.iloc[0]
            bad = [
                int(i)
                for k, i in zip(rows["sample_key"], rows["sample_index"])
                if k != sample_key(str(key), int(i))
            ]
            if bad:
                raise UserInputError(
                    f"{source}: sample keys of example {key} do not match their "
                    f"indices {bad}; the file was edited or is corrupt"
                )
            record = ExampleRecord(
                example_key=str(key),
                backend=str(first["backend"]),
                model=str(first["model"]),
                template=str(first["template"]),
                params=str(first["params"]),
                label=None if pd.isna(first["label"]) else str(first["label"]),
                source_text=str(first["source_text"]),
                asked=int(first["asked"]),
                samples=tuple((int(i), str(t)) for i, t in zip(rows["sample_index"], rows["text"])),
                tokens_in=int(first["tokens_in"]),
                tokens_out=int(first["tokens_out"]),
                produced=_optional_int(first.get("produced")),
                rejected=json.loads(first.get("rejected") or "{}")
                if isinstance(first.get("rejected"), str)
                else {},
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


def _optional_int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]


def params_json(params: dict[str, object]) -> str:
    return json.dumps(params, sort_keys=True)
