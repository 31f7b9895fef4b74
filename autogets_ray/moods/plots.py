"""Paper Fig. 2 / Figs. 4-9: histograms of z_w* on the original and on the MOODS training set."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_z_histograms(
    z_original: np.ndarray,
    y_original: np.ndarray,
    z_resampled: np.ndarray,
    y_resampled: np.ndarray,
    path: str | Path,
    title: str,
) -> Path:
    """Two stacked histograms (top: without resampling, bottom: MOODS), minority red, majority green.

    Counts on a log scale: with 0.3% minority a linear axis hides the minority bars entirely.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(7, 6), constrained_layout=True)
    panels = (
        (axes[0], z_original, y_original, "without resampling (D^Tr)"),
        (axes[1], z_resampled, y_resampled, "MOODS resampled (S)"),
    )
    for ax, z, y, label in panels:
        z, y = np.asarray(z), np.asarray(y)
        lo, hi = np.percentile(z, [0.5, 99.5])  # a few extreme outputs would squash every bin
        z = np.clip(z, lo, hi)
        bins = np.histogram_bin_edges(z, bins=40)
        ax.hist(
            z[y == 0], bins=bins, color="tab:green", alpha=0.7, label=f"majority (n={int(np.sum(y == 0))})"
        )
        ax.hist(z[y == 1], bins=bins, color="tab:red", alpha=0.7, label=f"minority (n={int(np.sum(y == 1))})")
        ax.axvline(0.5, color="black", linestyle="--", linewidth=1, label="decision boundary z = 1/2")
        ax.set_title(f"{title}: {label}")
        ax.set_xlabel("model output z_w*(x) (clipped to its 0.5-99.5 percentiles)")
        ax.set_ylabel("training points (log scale)")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
