from __future__ import annotations

import pytest

from autogets_ray.data.splits import Split, load_or_create_split, paper_split


def test_split_is_deterministic_disjoint_and_complete(demo_frame):
    first = paper_split(demo_frame, seed=42)
    second = paper_split(demo_frame, seed=42)
    assert first.frame.equals(second.frame)
    ids = {p: set(first.part(p)["row_id"]) for p in ("train", "val", "test")}
    assert not ids["train"] & ids["val"] and not ids["train"] & ids["test"] and not ids["val"] & ids["test"]
    assert ids["train"] | ids["val"] | ids["test"] == set(demo_frame["row_id"])
    other = paper_split(demo_frame, seed=7)
    assert set(other.test["row_id"]) != ids["test"]


def test_split_is_stratified_with_paper_proportions(demo_frame):
    split = paper_split(demo_frame, seed=42)
    n = len(demo_frame)
    assert abs(len(split.test) - 0.2 * n) <= 1
    assert abs(len(split.val) - 0.2 * 0.8 * n) <= 2
    total = demo_frame["label"].value_counts()
    for part, share in (("test", 0.2), ("val", 0.16), ("train", 0.64)):
        counts = split.part(part)["label"].value_counts()
        for label, size in total.items():
            assert abs(counts[label] - share * size) <= 1.5, (part, label)


def test_save_load_round_trip(tmp_path, demo_split):
    demo_split.save(tmp_path)
    loaded = Split.load(tmp_path)
    assert loaded.frame.equals(demo_split.frame)
    assert loaded.classes == demo_split.classes
    assert loaded.encode_labels(["Security", "Access"]).tolist() == [
        demo_split.classes.index("Security"),
        demo_split.classes.index("Access"),
    ]


def test_load_or_create_reuses_and_refuses_other_data(tmp_path, demo_frame):
    first = load_or_create_split(tmp_path, demo_frame, seed=42)
    again = load_or_create_split(tmp_path, demo_frame, seed=42)
    assert again.frame.equals(first.frame)
    with pytest.raises(ValueError, match="different data or seed"):
        load_or_create_split(tmp_path, demo_frame.iloc[:-1], seed=42)
    with pytest.raises(ValueError, match="different data or seed"):
        load_or_create_split(tmp_path, demo_frame, seed=1)


def test_unknown_label_and_class(demo_split):
    with pytest.raises(ValueError, match="not one of this split's classes"):
        demo_split.encode_labels(["Nope"])
    with pytest.raises(ValueError, match="unknown class 'Nope'"):
        demo_split.class_code("Nope")
