"""Metric column names (one helper builds and parses them) and the objectives registry."""

from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.metric_names import (
    class_columns,
    delta_column,
    metric_column,
    parse_metric_column,
    strip_split,
)
from autogets_ray.metrics import (
    CLASS_OBJECTIVES,
    OBJECTIVE_REGISTRY,
    OBJECTIVES,
    OVERALL_OBJECTIVES,
    evaluate,
    get_objective,
    is_class_objective,
    objective_column,
    objective_names,
    objective_standard_error,
    objectives_in,
    register_objective,
    val_test_metrics,
)


def test_metric_column_formats_class_and_split():
    assert metric_column("cba", "Access", "val") == "val_cba[Access]"
    assert metric_column("cr", "Access") == "cr[Access]"
    assert metric_column("oba", split="test") == "test_oba"
    assert metric_column("cba[Access]", split="val") == "val_cba[Access]"  # a built key gets its prefix
    assert delta_column("cba", "test") == "delta_cba_test"
    with pytest.raises(ValueError, match="unknown split 'train'"):
        metric_column("oba", split="train")


@pytest.mark.parametrize(
    "column, parsed",
    [
        ("val_cba[Access]", ("val", "cba", "Access")),
        ("test_oba", ("test", "oba", None)),
        ("cr[R&D <ops> [x]]", (None, "cr", "R&D <ops> [x]")),
        ("macro_recall", (None, "macro_recall", None)),
        ("val_macro_recall", ("val", "macro_recall", None)),
    ],
)
def test_parse_is_the_inverse_of_metric_column(column, parsed):
    got = parse_metric_column(column)
    assert tuple(got) == parsed
    assert metric_column(got.metric, got.target_class, got.split) == column


def test_strip_split_and_class_columns():
    assert strip_split("val_cr[Access]", "val") == "cr[Access]"
    assert strip_split("test_cr[Access]", "val") is None
    columns = ["val_oba", "val_cba[A]", "test_cba[A]", "val_cba[B b]", "val_cr[A]"]
    assert class_columns(columns, "cba", "val") == {"A": "val_cba[A]", "B b": "val_cba[B b]"}
    assert list(class_columns({"cba[A]": 1.0, "oba": 0.5}, "cba")) == ["A"]


def test_objective_column_drops_the_class_of_overall_objectives():
    assert objective_column("cba", "Email") == "cba[Email]"
    assert objective_column("oba", "Email") == "oba"
    assert objective_column("auc", "Email", "test") == "test_auc[Email]"
    with pytest.raises(ValueError, match="needs a target class"):
        objective_column("auc")
    with pytest.raises(ValueError, match="unknown objective 'xyz'; choose one of cr, cba, oba, of1, auc"):
        objective_column("xyz", "Email")


def test_registry_lists_follow_registration_order():
    assert objective_names() == OBJECTIVES == ("cr", "cba", "oba", "of1", "auc")
    assert CLASS_OBJECTIVES == ("cr", "cba", "auc") and OVERALL_OBJECTIVES == ("oba", "of1")
    assert is_class_objective("cba") and not is_class_objective("oba") and not is_class_objective("f1")
    assert get_objective("auc").needs_scores and not get_objective("cr").needs_scores
    assert OBJECTIVE_REGISTRY.describe("cr") == "class recall TP / (TP + FN)"


def test_objectives_in_a_table_without_scores_leave_out_auc():
    assert objectives_in(["val_cba[A]", "val_oba"]) == ("cr", "cba", "oba", "of1")
    assert objectives_in(["val_auc[A]"]) == OBJECTIVES
    assert objectives_in({"auc[A]": 0.5}) == OBJECTIVES


def test_a_new_objective_is_one_registration():
    ev = evaluate([0, 0, 1, 1], [0, 1, 1, 1], ["a", "b"])

    @register_objective(
        "precision-test",
        per_class=True,
        standard_error=lambda e, code, value: 0.125,
        help="class precision (test only)",
    )
    def _precision(evaluation, code):
        return float(evaluation.per_class.precision[code])

    try:
        assert "precision-test" in objective_names()
        assert ev.objective("precision-test", "b") == pytest.approx(2 / 3)
        assert objective_standard_error(ev, "precision-test", "b") == 0.125
        assert objective_column("precision-test", "b", "val") == "val_precision-test[b]"
    finally:
        OBJECTIVE_REGISTRY.unregister("precision-test")
    assert "precision-test" not in objective_names()


def test_val_test_metrics_prefixes_every_flat_key():
    ev = evaluate([0, 1], [0, 1], ["a", "b"], scores=np.eye(2))
    row = val_test_metrics(ev, ev)
    assert row[metric_column("auc", "b", "test")] == 1.0
    assert list(row) == [metric_column(k, split=s) for s in ("val", "test") for k in ev.flat()]
