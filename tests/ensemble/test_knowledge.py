"""Knowledge base from a constructed results table: exact lookup (Table 3), interaction (Fig. 6a)
and OBA effect (Fig. 6b)."""

from __future__ import annotations

import pandas as pd
import pytest

from autogets_ray.ensemble.knowledge import KnowledgeBase, ResultTables, build_knowledge_base
from tests.ensemble.helpers import CLASSES, M0_TEST, M0_VAL, tables, write_results


@pytest.fixture
def kb() -> KnowledgeBase:
    return build_knowledge_base(tables())


def test_lookup_names_the_search_of_the_best_validation_trial(kb):
    got = {(r.target_class, r.metric): (r.search_id, r.candidate_id) for r in kb.lookup.itertuples()}
    assert got == {
        ("B", "cr"): ("B-sw-cba", "b2"),
        ("B", "cba"): ("B-sw-cba", "b1"),  # tied with B-ga-oba's b3: the cba objective wins the tie
        ("B", "oba"): ("B-sw-cba", "b2"),
        ("B", "of1"): ("B-ga-oba", "b3"),
        ("C", "cr"): ("C-sw-cba", "c2"),
        ("C", "cba"): ("C-sw-cba", "c1"),
        ("C", "oba"): ("C-ga-oba", "c3"),
        ("C", "of1"): ("C-ga-oba", "c3"),
    }
    row = kb.best("B", "cba")
    assert (row["strategy"], row["objective"], row["tied"]) == ("sw", "cba", "sw-cba/ga-oba")
    assert row["m0_val"] == M0_VAL["cba[B]"] and row["best_val"] == pytest.approx(0.85)
    assert row["delta_val"] == pytest.approx(0.10) and row["delta_test"] == pytest.approx(0.05)
    assert kb.best("C", "cr")["delta_val"] == pytest.approx(0.30)
    assert kb.best("A", "cba") is None  # A was not searched
    assert list(kb.lookup.columns[:10]) == [
        "target_class",
        "metric",
        "strategy",
        "objective",
        "search_id",
        "candidate_id",
        "m0_val",
        "best_val",
        "delta_val",
        "delta_test",
    ]


def test_interaction_matrix_is_each_class_best_cba_model_on_every_class(kb):
    expected = pd.DataFrame(
        {"A": [0.0, 0.0], "B": [0.10, -0.08], "C": [0.02, 0.20]},
        index=pd.Index(["B", "C"], name="applied_class"),
    )
    pd.testing.assert_frame_equal(kb.interaction, expected, atol=1e-12)
    pd.testing.assert_frame_equal(kb.interaction_test, expected / 2, atol=1e-12)


def test_oba_effect_is_each_class_best_oba_model(kb):
    effect = kb.oba_effect.set_index("target_class")
    assert effect.loc["B", "delta_oba_val"] == pytest.approx(0.03)
    assert effect.loc["B", "delta_oba_test"] == pytest.approx(0.015)
    assert effect.loc["C", "delta_oba_val"] == pytest.approx(0.04)
    assert effect.loc["C", "search_id"] == "C-ga-oba"


def test_classes_are_ordered_largest_first(kb):
    assert kb.classes == list(CLASSES)
    assert kb.searched_classes() == ["B", "C"]


def test_save_and_load_round_trip(kb, tmp_path):
    kb.save(tmp_path / "kb")
    for name in ("lookup.csv", "interaction.csv", "oba_effect.csv", "classes.csv", "README.md"):
        assert (tmp_path / "kb" / name).exists()
    assert (tmp_path / "kb" / "interaction.csv").read_text().startswith("applied_class,A,B,C")
    loaded = KnowledgeBase.load(tmp_path / "kb")
    assert loaded.classes == kb.classes and loaded.class_sizes == kb.class_sizes
    pd.testing.assert_frame_equal(loaded.lookup, kb.lookup, check_dtype=False)
    pd.testing.assert_frame_equal(loaded.interaction, kb.interaction)
    pd.testing.assert_frame_equal(loaded.oba_effect, kb.oba_effect, check_dtype=False)
    assert loaded.m0 == {"val": M0_VAL, "test": M0_TEST}


def test_built_from_a_results_directory(tmp_path):
    kb = build_knowledge_base(write_results(tmp_path / "res"))
    assert kb.best("C", "cba")["candidate_id"] == "c1"
    assert kb.classes == ["A", "B", "C"]  # no split.parquet: no sizes, ordered by name


def test_missing_files_and_bad_tables_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="is not a directory"):
        ResultTables.read(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no trials.parquet"):
        ResultTables.read(tmp_path / "empty")
    with pytest.raises(ValueError, match="not a knowledge base"):
        KnowledgeBase.load(tmp_path / "empty")
    bad = tables()
    bad.trials = bad.trials.drop(columns=["val_cr[B]"])
    with pytest.raises(ValueError, match=r"no column 'val_cr\[B\]'"):
        build_knowledge_base(bad)
    with pytest.raises(ValueError, match="unknown class 'Z'"):
        build_knowledge_base(tables()).check_class("Z")
