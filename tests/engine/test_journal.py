"""TrialJournal: an fsynced JSON-lines log that survives a kill mid-write."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from autogets_ray.engine.journal import TrialJournal, fingerprint
from autogets_ray.errors import UserInputError


def test_entries_survive_reopening_and_sessions_are_counted(tmp_path):
    journal = TrialJournal(tmp_path / "j.jsonl")
    journal.record_trial(
        "s", "c0", {"example_ids": [1, 2]}, {"objective": 0.5, "n": np.int64(3), "bad": -math.inf}
    )
    journal.record_trial("s", "c1", {"example_ids": [3]}, None, error="boom")
    journal.record_closed("t", "wall_clock")
    journal.close()
    again = TrialJournal(tmp_path / "j.jsonl")
    assert again.attempt == 1
    assert again.trial("s", "c0")["result"] == {"objective": 0.5, "n": 3, "bad": -math.inf}
    assert again.trial("s", "c1")["status"] == "error" and again.trial("s", "c1")["result"] is None
    assert again.closed("t") == "wall_clock" and again.closed("s") is None
    assert [e["candidate_id"] for e in again.results()] == ["c0"]
    again.record_trial("s", "c2", {}, {"objective": 1.0})
    assert again.attempt == 2
    assert [e["attempt"] for e in again.entries("trial")] == [1, 1, 2]
    assert again.retrained() == []
    again.record_trial("s", "c0", {"example_ids": [1, 2]}, {"objective": 0.5})
    assert again.retrained() == [("s", "c0")]


def test_a_line_torn_by_a_kill_is_dropped_and_the_file_repaired(tmp_path):
    path = tmp_path / "j.jsonl"
    journal = TrialJournal(path)
    journal.record_trial("s", "c0", {}, {"objective": 0.1})
    journal.close()
    with open(path, "a") as handle:
        handle.write('{"kind": "trial", "search_id": "s", "cand')  # kill -9 mid-write
    reopened = TrialJournal(path)
    assert reopened.trial("s", "c0") is not None and len(reopened.entries("trial")) == 1
    reopened.record_trial("s", "c1", {}, {"objective": 0.2})
    lines = path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)
    assert [e["candidate_id"] for e in TrialJournal(path).results()] == ["c0", "c1"]


def test_a_corrupt_line_in_the_middle_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"kind": "session", "attempt": 1}\nnot json\n{"kind": "session", "attempt": 2}\n')
    with pytest.raises(UserInputError, match="j.jsonl: line 2"):
        TrialJournal(path)


def test_fingerprints_depend_on_the_config_only():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
