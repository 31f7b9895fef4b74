from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.reporting.pca_map import plot_class_maps


def test_plot_writes_a_png(tmp_path):
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(60, 3))
    labels = np.array(["a"] * 30 + ["b"] * 20 + ["c"] * 10)
    path = plot_class_maps(
        coords,
        labels,
        ["c", "b", "a"],
        tmp_path / "map.png",
        pair=(0, 2),
        synthetic={"c": rng.normal(size=(5, 3))},
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        plot_class_maps(coords, labels, [], tmp_path / "empty.png")
