"""Search vs no-search: per-experiment test changes over M0 and their intervals over split seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from autogets_ray.experiment.comparison import COMPARISON_COLUMNS, across_splits, method_deltas, t_interval


def summary_rows(kinds: dict[str, tuple[str, str]], shift: float = 0.0) -> pd.DataFrame:
    """One search per strategy on class b / cba; ``kinds`` maps strategy -> (recommendation, its kind)."""
    rows = []
    for i, (strategy, (choice, kind)) in enumerate(kinds.items()):
        rows.append(
            {
                "strategy": strategy,
                "target_class": "b",
                "objective": "cba",
                "best_candidate": f"{strategy}-4",
                "best_val_delta": 0.06 + i / 100 + shift,
                "delta_cba_test": 0.03 + i / 100 + shift,
                "delta_oba_test": -0.01 + shift,
                "best_test_delta": 0.04 + i / 100 + shift,
                "recommendation": choice,
                "recommendation_kind": kind,
                "recommended_delta_cba_test": {"search": 0.03 + i / 100 + shift, "m0": 0.0}.get(
                    kind, 0.02 + shift
                ),
                "recommended_delta_oba_test": {"search": -0.01 + shift, "m0": 0.0}.get(kind, 0.005 + shift),
                # what summary() writes: the chosen candidate's or baseline's change, 0 for M0
                "recommended_val_delta": {"search": 0.06 + i / 100 + shift, "m0": 0.0}.get(kind, 0.77 - 0.72),
                "recommended_test_delta": {"search": 0.04 + i / 100 + shift, "m0": 0.0}.get(
                    kind, 0.03 + shift
                ),
            }
        )
    return pd.DataFrame(rows)


def baselines_rows(shift: float = 0.0) -> pd.DataFrame:
    """m0, all-examples and duplicate of class b / cba: val objective, test objective (= test CBA), test OBA."""
    values = {
        "m0": (0.72, 0.70, 0.90),
        "all-examples": (0.77, 0.73 + shift, 0.905 + shift),
        "duplicate": (0.74, 0.69, 0.91),
    }
    return pd.DataFrame(
        [
            {
                "target_class": "b",
                "objective": "cba",
                "baseline": name,
                "val_objective": val,
                "test_objective": cba,
                "test_cba[b]": cba,
                "test_oba": oba,
            }
            for name, (val, cba, oba) in values.items()
        ]
    )


KINDS = {"sw": ("sw-4", "search"), "ga": ("use-all-examples", "baseline"), "hc": ("keep-m0", "m0")}


def test_method_deltas_has_search_decision_and_baseline_rows():
    table = method_deltas(summary_rows(KINDS), baselines_rows())
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table["method"].tolist() == [
        "sw",
        "sw+decision",
        "ga",
        "ga+decision",
        "hc",
        "hc+decision",
        "all-examples",
        "duplicate",
    ]
    rows = table.set_index("method")
    assert rows.loc["sw", "kind"] == "search" and rows.loc["sw", "delta_objective_test"] == pytest.approx(
        0.04
    )
    assert rows.loc["sw", "recommendation_kind"] == "" and rows.loc["sw", "choice"] == "sw-4"
    assert rows.loc["sw", "delta_objective_val"] == pytest.approx(0.06)
    # the decision's change is its choice's: the search's candidate, the baseline's row, or none for M0
    assert rows.loc["sw+decision", "delta_objective_test"] == pytest.approx(0.04)
    assert rows.loc["ga+decision", "delta_objective_test"] == pytest.approx(0.73 - 0.70)
    assert rows.loc["hc+decision", "delta_objective_test"] == 0.0
    assert rows.loc["sw+decision", "delta_objective_val"] == pytest.approx(0.06)
    assert rows.loc["ga+decision", "delta_objective_val"] == pytest.approx(0.77 - 0.72)
    assert rows.loc["hc+decision", "delta_objective_val"] == 0.0
    assert rows[rows["kind"] == "decision"]["choice"].tolist() == ["sw-4", "use-all-examples", "keep-m0"]
    assert rows.loc["hc+decision", "delta_cba_test"] == 0.0
    assert rows.loc["ga+decision", "recommendation_kind"] == "baseline"
    assert rows.loc["ga+decision", "delta_cba_test"] == pytest.approx(0.02)  # the summary's recommended delta
    # baselines against M0 of the same class and objective; M0 itself is no method
    assert rows.loc["all-examples", "kind"] == "baseline"
    assert rows.loc["all-examples", "delta_cba_test"] == pytest.approx(0.03)
    assert rows.loc["all-examples", "delta_oba_test"] == pytest.approx(0.005)
    assert rows.loc["duplicate", "delta_objective_test"] == pytest.approx(-0.01)
    assert rows.loc["duplicate", "delta_objective_val"] == pytest.approx(0.02)
    assert rows.loc["duplicate", "choice"] == "duplicate"
    assert "m0" not in rows.index


def test_method_deltas_without_baselines():
    table = method_deltas(summary_rows(KINDS), None).set_index("method")
    assert len(table) == 6  # search and decision rows only
    # a decision's changes are the summary's (computed there from the baselines it chose from)
    assert table.loc["ga+decision", "delta_objective_test"] == pytest.approx(0.03)
    assert table.loc["ga+decision", "delta_objective_val"] == pytest.approx(0.77 - 0.72)
    assert table.loc["hc+decision", "delta_objective_test"] == 0.0
    no_m0 = baselines_rows()[lambda f: f["baseline"] != "m0"]
    assert set(method_deltas(summary_rows(KINDS), no_m0)["kind"]) == {"search", "decision"}


def test_t_interval_is_the_student_t_interval():
    values = np.array([0.01, 0.04, -0.02, 0.03, 0.05])
    mean, low, high = t_interval(values)
    sem = np.std(values, ddof=1) / np.sqrt(len(values))
    assert mean == pytest.approx(0.022)
    assert (low, high) == pytest.approx(stats.t.interval(0.95, len(values) - 1, loc=0.022, scale=sem))
    half = stats.t.ppf(0.95, len(values) - 1) * sem  # a 90% interval is narrower
    assert t_interval(values, level=0.9)[1:] == pytest.approx((0.022 - half, 0.022 + half))
    assert t_interval(np.append(values, np.nan)) == pytest.approx((mean, low, high))  # NaN is skipped


def test_t_interval_of_one_or_no_value():
    mean, low, high = t_interval(np.array([0.3]))
    assert mean == 0.3 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in t_interval(np.array([])))
    assert all(math.isnan(v) for v in t_interval(np.array([np.nan])))


def test_across_splits_aggregates_each_method_over_the_seeds():
    per_split = {
        0: method_deltas(summary_rows(KINDS, shift=0.00), baselines_rows(0.00)),
        1: method_deltas(summary_rows({**KINDS, "ga": ("ga-1", "search")}, shift=0.01), baselines_rows(0.01)),
        2: method_deltas(
            summary_rows({**KINDS, "hc": ("use-all-examples", "baseline")}, shift=0.02), baselines_rows(0.02)
        ),
    }
    table = across_splits(per_split).set_index("method")
    assert set(table.index) == {
        "sw",
        "sw+decision",
        "ga",
        "ga+decision",
        "hc",
        "hc+decision",
        "all-examples",
        "duplicate",
    }
    assert (table["splits"] == 3).all()
    sw = [frame.set_index("method").loc["sw", "delta_objective_test"] for frame in per_split.values()]
    mean, low, high = t_interval(np.array(sw))
    assert table.loc["sw", "delta_objective_test_mean"] == pytest.approx(np.mean(sw))
    assert (
        table.loc["sw", "delta_objective_test_low"],
        table.loc["sw", "delta_objective_test_high"],
    ) == pytest.approx((low, high))
    assert table.loc["all-examples", "delta_cba_test_mean"] == pytest.approx(0.04)  # 0.03, 0.04, 0.05
    assert table.loc["sw", "delta_objective_val_mean"] == pytest.approx(0.07)  # 0.06, 0.07, 0.08
    counts = table[["chose_m0", "chose_baseline", "chose_search"]]
    assert counts.loc["sw+decision"].tolist() == [0, 0, 3]
    assert counts.loc["ga+decision"].tolist() == [0, 2, 1]
    assert counts.loc["hc+decision"].tolist() == [2, 1, 0]
    assert counts.loc[["sw", "all-examples"]].isna().all().all()  # counts are for decision rows only


def test_across_splits_counts_the_splits_a_method_ran_in():
    only_sw = {"sw": KINDS["sw"]}
    per_split = {3: method_deltas(summary_rows(KINDS), None), 8: method_deltas(summary_rows(only_sw), None)}
    table = across_splits(per_split).set_index("method")
    assert table.loc["sw", "splits"] == 2 and table.loc["ga", "splits"] == 1
    assert math.isnan(table.loc["ga", "delta_objective_test_low"])  # one split: no interval
    assert across_splits({}).empty
