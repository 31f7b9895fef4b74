"""PCA map of the smallest classes (paper Fig. 12): where a class's examples lie on a PCA plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autogets_ray.encoding.areas import class_area
from autogets_ray.reporting.plotting import panel_grid, save_figure, suptitle


#: Plain words for each class area (the box the sliding-window searches cover, paper App. B.2).
AREA_WORDS = {
    "topic-minmax": "the smallest box around this class's examples (+1%)",
    "full-size": "the smallest box around all examples (+1%)",
}


def area_legend(kind: str) -> str:
    """The legend entry of the dashed box: what it is, in plain words, and the area's name."""
    from autogets_ray.encoding.areas import AREAS

    words = AREA_WORDS.get(kind) or AREAS.describe(kind) or "the class's area"
    return f"search area ({kind}):\n{words}"


def plot_class_maps(
    coords: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[str],
    path: str | Path,
    pair: tuple[int, int] = (0, 1),
    area_kind: str = "topic-minmax",
    synthetic: dict[str, np.ndarray] | None = None,
) -> Path:
    """One panel per class in ``classes``: all points in grey, the class in red, its area (the box
    the sliding windows search, :func:`area_legend`) dashed.

    ``synthetic`` optionally maps class -> projected synthetic points, drawn as crosses (Fig. 14).
    """
    from matplotlib.patches import Rectangle

    if not classes:
        raise ValueError("plot_class_maps needs at least one class")
    fig, axes = panel_grid(len(classes), 2, width=6, height=5)
    xy = coords[:, list(pair)]
    for ax, name in zip(axes.ravel(), classes):
        mine = labels == name
        ax.scatter(xy[~mine, 0], xy[~mine, 1], s=3, c="0.8", label="other classes' examples", rasterized=True)
        ax.scatter(
            xy[mine, 0], xy[mine, 1], s=10, c="tab:red", label=f"{name}: its {int(mine.sum())} examples"
        )
        if synthetic and name in synthetic and len(synthetic[name]):
            syn = synthetic[name][:, list(pair)]
            ax.scatter(
                syn[:, 0], syn[:, 1], s=12, c="tab:blue", marker="x", label=f"synthetic examples ({len(syn)})"
            )
        area = class_area(xy, labels, name, area_kind)
        ax.add_patch(
            Rectangle(
                (area.x0, area.y0),
                area.x1 - area.x0,
                area.y1 - area.y0,
                fill=False,
                ec="tab:red",
                ls="--",
                lw=1,
                label=area_legend(area_kind),
            )
        )
        ax.set_title(f"class {name}")
        ax.set_xlabel(f"PC{pair[0] + 1}")
        ax.set_ylabel(f"PC{pair[1] + 1}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, ncol=2)
    suptitle(
        fig,
        "Training examples on the PCA map (TF-IDF -> PCA fitted on train)\n"
        "red: the class's examples; grey: all others; dashed box: the area the sliding windows search",
    )
    return save_figure(fig, path)
