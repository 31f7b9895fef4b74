"""Matplotlib house style shared by every figure: Agg backend, panel grids, one way to save."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
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


def save_figure(
    fig: Any,
    path: str | Path,
    rect: tuple[float, float, float, float] | None = None,
    tight: bool = False,
) -> Path:
    """Lay out (inside ``rect``, figure fractions, when given), write ``path`` (PNG at :data:`DPI`),
    create its folder, close the figure. ``tight`` crops the PNG to what is drawn, so a legend placed
    outside the panels (:func:`legend_below`) is kept without a blank band."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=rect)  # makes room for a suptitle too
    if tight:
        fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.12)
    else:
        fig.savefig(path, dpi=DPI)
    pyplot().close(fig)
    return path


def legend_below(fig: Any, handles: list[Any], labels: list[str], **kwargs: Any) -> Any:
    """A figure legend just below the panels (call after :func:`Figure.tight_layout`, save with
    ``tight=True``): its top touches the lowest axis label, so there is no gap above it."""
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    bottom = min(
        (ax.get_tightbbox(renderer).y0 for ax in fig.axes if ax.get_visible()),
        default=0.0,
    )
    y = bottom / fig.bbox.height - 0.01
    kwargs.setdefault("fontsize", 8)
    return fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, y), **kwargs)


def safe_name(text: str) -> str:
    """A file-name-safe form of ``text`` (class names may hold spaces, slashes, ...)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "x"


#: The known strategies in the paper's order (SW, HSW, GA, random), then the tool's own; every
#: figure sorts and colours strategies by it (:func:`strategy_color`).
STRATEGY_ORDER = ("sw", "hsw", "ga", "random", "datamodel")
#: Strategy colours by position in :func:`strategy_order`; none is a baseline's colour or the grey
#: of unselected trials.
STRATEGY_PALETTE = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:cyan",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
)
#: Fixed styles of the no-search models wherever they are drawn (M0 as in Fig. 5: a gold star).
BASELINE_STYLES: dict[str, dict[str, str]] = {
    "m0": {"color": "gold", "marker": "*", "edgecolor": "black"},
    "all-examples": {"color": "tab:brown", "marker": "s", "edgecolor": "black"},
    "duplicate": {"color": "tab:pink", "marker": "D", "edgecolor": "black"},
    "class-weight": {"color": "tab:olive", "marker": "^", "edgecolor": "black"},
}
_OTHER_BASELINE = {"color": "0.45", "marker": "v", "edgecolor": "black"}


def strategy_order() -> list[str]:
    """:data:`STRATEGY_ORDER`, then every other registered strategy (plugins) sorted by name."""
    from autogets_ray.search.core import STRATEGIES  # lazy: the search package is slow to import

    names = list(STRATEGY_ORDER)
    return names + sorted(set(STRATEGIES.names()) - set(names))


def strategy_rank(name: str) -> tuple[int, str]:
    """Sort key of a strategy: its position in :func:`strategy_order`, unknown names last by name."""
    order = strategy_order()
    return (order.index(name) if name in order else len(order), name)


def strategy_color(name: str) -> str:
    """The colour of strategy ``name`` in every figure of the tool.

    Known and registered strategies take :data:`STRATEGY_PALETTE` in :func:`strategy_order`; any
    other name one of the colours after them, chosen by a CRC-32 of the name (stable across runs
    and machines, unlike ``hash``)."""
    order = strategy_order()
    if name in order:
        return STRATEGY_PALETTE[order.index(name) % len(STRATEGY_PALETTE)]
    spare = STRATEGY_PALETTE[len(order) :] or STRATEGY_PALETTE
    return spare[zlib.crc32(name.encode("utf-8")) % len(spare)]


def strategy_colors(strategies: Iterable[str]) -> dict[str, str]:
    """:func:`strategy_color` of each strategy, in :func:`strategy_rank` order."""
    return {name: strategy_color(name) for name in sorted(set(strategies), key=strategy_rank)}


def strategy_gid(name: str) -> str:
    """The ``gid`` set on every artist drawn in a strategy's colour (tests find them by it)."""
    return f"strategy={name}"


def baseline_style(name: str) -> dict[str, str]:
    """Colour, marker and edge colour of a no-search baseline (M0, all-examples, ...)."""
    return dict(BASELINE_STYLES.get(name, _OTHER_BASELINE))


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
