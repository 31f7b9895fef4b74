from __future__ import annotations

import pytest

from autogets_ray.data.datasets import (
    PAPER_TAIL_SIZES,
    DATA_DIR_ENV,
    DatasetRequest,
    load_dataset,
    resolve_data_dir,
)
from autogets_ray.data.demo import generate_demo_tickets


def test_demo_tickets_is_deterministic_imbalanced_and_ticket_like(demo_frame):
    assert generate_demo_tickets(seed=0).equals(generate_demo_tickets(seed=0))
    assert not generate_demo_tickets(seed=1).equals(generate_demo_tickets(seed=0))
    counts = demo_frame["label"].value_counts()
    assert 6 <= len(counts) <= 8
    assert 2000 <= len(demo_frame) <= 4000
    assert counts.max() / counts.min() >= 30
    assert all(isinstance(t, str) and len(t.split()) >= 6 for t in demo_frame["text"])


def test_demo_vocabularies_overlap_between_classes(demo_frame):
    vocab = {label: set(" ".join(group["text"]).split()) for label, group in demo_frame.groupby("label")}
    assert len(vocab["Purchase"] & vocab["Hardware"]) > 15  # shared filler + borrowed topic words


def test_unknown_name_lists_the_registered_ones():
    with pytest.raises(ValueError, match=r"unknown dataset 'nosuch'.*demo-tickets"):
        load_dataset(DatasetRequest("nosuch"))


def test_data_dir_must_be_given(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(ValueError, match=r"--data-dir DIR or set AUTOGETS_DATA_DIR"):
        load_dataset(DatasetRequest("it-tickets"))


def test_data_dir_flag_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, "/does/not/exist")
    assert resolve_data_dir(str(tmp_path)) == tmp_path
    with pytest.raises(ValueError, match=r"AUTOGETS_DATA_DIR names /does/not/exist"):
        resolve_data_dir(None)


def test_data_dir_without_the_ticket_file(tmp_path):
    with pytest.raises(ValueError, match=r"it_tickets/it_service_tickets\.zip"):
        load_dataset(DatasetRequest("it-tickets", data_dir=str(tmp_path)))


def test_it_tickets_real_file(data_dir):
    frame = load_dataset(DatasetRequest("it-tickets", data_dir=str(data_dir)))
    counts = frame["label"].value_counts()
    assert len(frame) == 47837
    assert counts["Hardware"] == 13617 and counts["Administrative rights"] == 1760


def test_it_tickets_tail_has_paper_sizes_and_is_seeded(data_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    frame = load_dataset(DatasetRequest("it-tickets-tail"))
    assert sorted(frame["label"].value_counts().tolist(), reverse=True) == list(PAPER_TAIL_SIZES)
    assert frame["label"].value_counts()["Hardware"] == PAPER_TAIL_SIZES[0]
    again = load_dataset(DatasetRequest("it-tickets-tail"))
    assert frame["row_id"].tolist() == again["row_id"].tolist()
