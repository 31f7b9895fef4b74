"""The paper's Table 1 (M0 performance per class) and plain-text table formatting."""

from __future__ import annotations

import pandas as pd

from autogets_ray.metrics import Evaluation

TABLE1_COLUMNS = ["class", "size", "balanced_accuracy", "recall", "f1", "test_support"]


def table1(evaluation: Evaluation, class_sizes: pd.Series) -> pd.DataFrame:
    """One row per class (largest first; metrics on the evaluated split) and an ``overall`` row.

    ``size`` is the class's size in the whole dataset, as in the paper. In the overall row
    ``balanced_accuracy`` is OBA, ``recall`` is accuracy and ``f1`` the support-weighted F1.
    """
    pc = evaluation.per_class
    rows = []
    for name in class_sizes.index:
        i = evaluation.class_index(name)
        rows.append(
            {
                "class": name,
                "size": int(class_sizes[name]),
                "balanced_accuracy": float(pc.balanced_accuracy[i]),
                "recall": float(pc.recall[i]),
                "f1": float(pc.f1[i]),
                "test_support": int(pc.support[i]),
            }
        )
    rows.append(
        {
            "class": "overall",
            "size": int(class_sizes.sum()),
            "balanced_accuracy": evaluation.oba,
            "recall": evaluation.accuracy,
            "f1": evaluation.of1,
            "test_support": int(pc.support.sum()),
        }
    )
    return pd.DataFrame(rows, columns=TABLE1_COLUMNS)


def format_table(frame: pd.DataFrame, float_digits: int = 3, title: str | None = None) -> str:
    """A fixed-width text rendering with a rule under the header (and before an ``overall`` row)."""
    cells = [[str(c) for c in frame.columns]]
    for _, row in frame.iterrows():
        cells.append([f"{v:.{float_digits}f}" if isinstance(v, float) else str(v) for v in row.tolist()])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    rule = "  ".join("-" * w for w in widths)
    out = [title] if title else []
    out += [line(cells[0]), rule]
    for values in cells[1:]:
        if values[0] == "overall":
            out.append(rule)
        out.append(line(values))
    return "\n".join(out)
