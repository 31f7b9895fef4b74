"""Which tickets make good prompts: the examples a datamodel search found to help and hurt most.

Reads ``searches/<search_id>/example_effects.parquet`` (written by strategies that learn
per-example effects) and the split's texts; one table per search with the examples of the largest
positive and negative estimated effect, with a 95% interval (effect +/- 1.96 sd).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from autogets_ray.search.datamodel import EFFECTS_FILE

#: Characters of a ticket's text shown in the table.
TEXT_CHARS = 90


def effect_files(results_dir: str | Path) -> dict[str, Path]:
    """search id -> its effects file, in search-id order."""
    found = sorted(Path(results_dir).glob(f"searches/*/{EFFECTS_FILE}"))
    return {path.parent.name: path for path in found}


def helpful_and_harmful(effects: pd.DataFrame, texts: pd.Series, top: int = 5) -> pd.DataFrame:
    """The ``top`` examples of largest and of smallest effect (ties by example id), with their text."""
    ranked = effects.dropna(subset=["effect"]).sort_values(["effect", "example_id"], ascending=[False, True])
    helpful = ranked.head(top).assign(kind="helps")
    harmful = (
        ranked[~ranked["example_id"].isin(helpful["example_id"])].tail(top).iloc[::-1].assign(kind="hurts")
    )
    rows = pd.concat([helpful, harmful], ignore_index=True)
    low, high = rows["effect"] - 1.96 * rows["effect_sd"], rows["effect"] + 1.96 * rows["effect_sd"]
    return pd.DataFrame(
        {
            "kind": rows["kind"],
            "example_id": rows["example_id"].astype(int),
            "effect": rows["effect"].map("{:+.4f}".format),
            "95% interval": [f"[{a:+.4f}, {b:+.4f}]" for a, b in zip(low, high)],
            "trials with it": rows["trials_with"].astype(int),
            "text": [str(texts.get(int(i), ""))[:TEXT_CHARS] for i in rows["example_id"]],
        }
    )


def effects_tables(results_dir: str | Path, top: int = 5) -> dict[str, pd.DataFrame]:
    """search id -> :func:`helpful_and_harmful` table, for every search that wrote effects."""
    files = effect_files(results_dir)
    if not files:
        return {}
    split = Path(results_dir) / "split.parquet"
    texts = (
        pd.read_parquet(split, columns=["row_id", "text"]).set_index("row_id")["text"]
        if split.exists()
        else pd.Series(dtype=str)
    )
    return {sid: helpful_and_harmful(pd.read_parquet(path), texts, top) for sid, path in files.items()}
