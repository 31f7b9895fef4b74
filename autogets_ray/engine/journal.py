"""A durable journal of finished trials: what makes a rerun repeat nothing.

Every finished trial is appended, the moment Tune reports it, as one JSON line and fsynced
before the search learns the result. A kill -9 can therefore lose only trials that were still
running; a line torn by the kill is dropped when the journal is opened again. The journal also
records each session (``attempt``) and searches closed from outside (the wall clock ran out), so
it alone shows whether any candidate was ever trained twice (:meth:`TrialJournal.retrained`).

Entries (``kind``): ``session`` (one per run or rerun), ``trial`` (search id, the search's own
candidate id, a fingerprint of the candidate's config, ``status`` ok/error, the trial's config
and reported result) and ``closed`` (search id and reason).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from autogets_ray.errors import UserInputError

JOURNAL_FILE = "journal.jsonl"


def fingerprint(config: dict[str, Any]) -> str:
    """A short, stable hash of a candidate's config (what the search proposed, not where it ran)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    """JSON-friendly copies of numpy scalars and arrays (anything else becomes its string)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _without_config(result: dict[str, Any]) -> dict[str, Any]:
    """A reported result without Tune's copy of the config (kept once, under ``config``)."""
    return {k: v for k, v in result.items() if k != "config" and not k.startswith("config/")}


class TrialJournal:
    """The journal at ``path`` (created on first write); reading it back is :meth:`entries`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._entries: list[dict[str, Any]] = self._load()
        self._trials = {(e["search_id"], e["candidate_id"]): e for e in self._entries if e["kind"] == "trial"}
        self._closed = {e["search_id"]: e["reason"] for e in self._entries if e["kind"] == "closed"}
        self._handle = None
        self._in_session = False
        self.attempt = sum(e["kind"] == "session" for e in self._entries)

    def _load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        raw = self.path.read_bytes()
        entries, good = [], 0
        for line in raw.splitlines(keepends=True):
            try:
                entry = json.loads(line)
            except ValueError:
                if line.endswith(b"\n"):
                    raise UserInputError(
                        f"{self.path}: line {len(entries) + 1} is not a journal entry; "
                        "the file was edited by hand or belongs to something else"
                    ) from None
                break  # the last line was torn by a kill: drop it
            if not isinstance(entry, dict) or "kind" not in entry:
                raise UserInputError(f"{self.path}: line {len(entries) + 1} is not a journal entry")
            entries.append(entry)
            good += len(line)
        if good < len(raw):
            with open(self.path, "r+b") as handle:
                handle.truncate(good)
        return entries

    # ------------------------------------------------------------------ writing
    def _append(self, entry: dict[str, Any]) -> None:
        self.start_session()
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        self._handle.write(json.dumps(entry, default=_plain) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._entries.append(entry)

    def start_session(self) -> None:
        """Open the journal for appending; the first write of a run starts its ``session`` entry."""
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="utf-8")
        if not self._in_session:
            self._in_session = True
            self.attempt += 1
            self._write({"kind": "session", "attempt": self.attempt, "started_at": time.time()})

    def record_trial(
        self,
        search_id: str,
        candidate_id: str,
        config: dict[str, Any],
        result: dict[str, Any] | None,
        error: str | None = None,
    ) -> dict[str, Any]:
        self.start_session()
        entry = {
            "kind": "trial",
            "attempt": self.attempt,
            "search_id": search_id,
            "candidate_id": candidate_id,
            "fingerprint": fingerprint(config),
            "status": "ok" if result is not None else "error",
            "recorded_at": time.time(),
            "config": config,
            "result": None if result is None else _without_config(result),
            "error": error,
        }
        self._append(entry)
        self._trials[(search_id, candidate_id)] = entry
        return entry

    def record_closed(self, search_id: str, reason: str) -> None:
        self.start_session()
        self._append({"kind": "closed", "attempt": self.attempt, "search_id": search_id, "reason": reason})
        self._closed[search_id] = reason

    def close(self) -> None:
        """Close the file; later writes reopen it within the same session."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    # ------------------------------------------------------------------ reading
    def trial(self, search_id: str, candidate_id: str) -> dict[str, Any] | None:
        return self._trials.get((search_id, str(candidate_id)))

    def closed(self, search_id: str) -> str | None:
        return self._closed.get(search_id)

    def entries(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self._entries if kind is None or e["kind"] == kind]

    def results(self, search_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Trial entries that reported a result (journal order), optionally of some searches only."""
        wanted = None if search_ids is None else set(search_ids)
        return [
            e
            for e in self.entries("trial")
            if e["status"] == "ok" and (wanted is None or e["search_id"] in wanted)
        ]

    def retrained(self) -> list[tuple[str, str]]:
        """(search id, candidate id) pairs recorded more than once: candidates trained twice."""
        counts = Counter((e["search_id"], e["candidate_id"]) for e in self.entries("trial"))
        return sorted(key for key, n in counts.items() if n > 1)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_handle"] = None  # a pickled copy (Tune pickles its searcher) reopens on write
        return state
