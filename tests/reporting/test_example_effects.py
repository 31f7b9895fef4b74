"""The report's table of the examples that help and hurt most."""

from __future__ import annotations

import pandas as pd

from autogets_ray.reporting.example_effects import helpful_and_harmful


def test_the_largest_and_smallest_effects_come_with_their_text_and_interval():
    effects = pd.DataFrame(
        {
            "example_id": [10, 11, 12, 13, 14, 15],
            "effect": [0.03, -0.02, 0.0, 0.01, -0.05, float("nan")],
            "effect_sd": [0.01, 0.01, 0.01, 0.005, 0.02, float("nan")],
            "trials_with": [5, 6, 7, 8, 9, 0],
        }
    )
    texts = pd.Series({10: "printer jam", 11: "x" * 200, 14: "wrong label"})
    table = helpful_and_harmful(effects, texts, top=2)
    assert table["kind"].tolist() == ["helps", "helps", "hurts", "hurts"]
    assert table["example_id"].tolist() == [10, 13, 14, 11]
    assert table.loc[0, "95% interval"] == "[+0.0104, +0.0496]"
    assert table.loc[2, "text"] == "wrong label" and len(table.loc[3, "text"]) == 90
    assert table.loc[1, "text"] == ""  # no text known for it
