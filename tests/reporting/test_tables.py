from __future__ import annotations

import pandas as pd
import pytest

from autogets_ray.metrics import evaluate
from autogets_ray.reporting.tables import format_table, table1


def test_table1_rows_sizes_and_overall():
    ev = evaluate([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c"])
    sizes = pd.Series({"b": 40, "a": 50, "c": 10}).sort_values(ascending=False)
    table = table1(ev, sizes)
    assert table["class"].tolist() == ["a", "b", "c", "overall"]
    assert table["size"].tolist() == [50, 40, 10, 100]
    assert table.loc[0, "recall"] == pytest.approx(2 / 3)
    overall = table.iloc[-1]
    assert overall["balanced_accuracy"] == pytest.approx(ev.oba)
    assert overall["recall"] == pytest.approx(ev.accuracy)
    assert overall["f1"] == pytest.approx(ev.of1)
    assert table["test_support"].tolist() == [3, 2, 1, 6]


def test_format_table_aligns_and_separates_overall():
    frame = pd.DataFrame({"class": ["a", "overall"], "size": [5, 5], "f1": [0.5, 0.25]})
    text = format_table(frame, title="T")
    lines = text.splitlines()
    assert lines[0] == "T" and "0.500" in lines[3] and lines[4].startswith("-") and "0.250" in lines[5]
    assert len({len(line) for line in lines[1:]}) == 1
