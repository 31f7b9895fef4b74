"""Matplotlib house style shared by every figure: Agg backend, panel grids, one way to save."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

#: Resolution of every PNG the project writes.
DPI = 110


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend (safe on headless machines)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def panel_grid(n: int, cols: int, width: float, height: float) -> tuple[Any, np.ndarray]:
    """A figure with at least ``n`` panels in rows of ``cols``; unused panels are hidden."""
    plt = pyplot()
    shown, n = n, max(1, n)
    cols = max(1, min(n, cols))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.ravel()[shown:]:
        ax.set_visible(False)
    return fig, axes


def suptitle(fig: Any, text: str) -> None:
    """The figure's title a fixed distance below its top edge (the default, a fraction of the height,
    lands on the first panel of a tall figure)."""
    fig.suptitle(text, y=1 - 0.12 / fig.get_figheight(), va="top")


def save_figure(fig: Any, path: str | Path, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay out (inside ``rect``, figure fractions, when given), write ``path`` (PNG at :data:`DPI`),
    create its folder, close the figure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=rect)  # makes room for a suptitle too
    fig.savefig(path, dpi=DPI)
    pyplot().close(fig)
    return path


def safe_name(text: str) -> str:
    """A file-name-safe form of ``text`` (class names may hold spaces, slashes, ...)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "x"


#: Strategy colours fixed across figures (unknown strategies take the next free colour).
STRATEGY_ORDER = ("sw", "hsw", "ga", "random")


def strategy_colors(strategies: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """One tab10 colour per strategy (in the paper's order), each strategy always in the same colour."""
    plt = pyplot()
    palette = plt.get_cmap("tab10").colors
    known = list(STRATEGY_ORDER) + sorted(set(strategies) - set(STRATEGY_ORDER))
    return {
        name: palette[known.index(name) % len(palette)] for name in sorted(set(strategies), key=known.index)
    }


def diverging_heatmap(
    ax: Any,
    values: np.ndarray,
    rows: list[str],
    cols: list[str],
    labels: list[list[str]] | None = None,
    colorbar: str = "",
) -> None:
    """A red (worse) / blue (better) heatmap centred on 0, cells annotated with ``labels``."""
    values = np.asarray(values, dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    if labels is not None:
        for i, row in enumerate(labels):
            for j, text in enumerate(row):
                dark = np.isfinite(values[i, j]) and abs(values[i, j]) > 0.6 * limit
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.figure.colorbar(image, ax=ax, label=colorbar, shrink=0.9)
