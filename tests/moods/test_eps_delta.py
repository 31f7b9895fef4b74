"""ε/δ non-overlapping diversification (paper Defs. 4-6) on hand-made outputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autogets_ray.moods.eps_delta import eps_delta, overlap


def test_overlap_counts_minority_outputs_on_the_majority_side():
    z = np.array([0.2, 0.5, 0.9, 3.0, -1.0])
    y = np.array([1, 1, 1, 1, 0])
    assert overlap(z, y) == pytest.approx(0.5)  # 0.2 and 0.5 (z <= 1/2 counts as overlap)


def test_eps_delta_by_hand():
    # original: every minority output on the wrong side, tiny variances
    z_o = np.array([0.1, 0.3, -0.2, 0.0, 0.2])
    y_o = np.array([1, 1, 0, 0, 0])
    # resampled: minority all right of 1/2 with 100x the variance; majority 1000x
    z_s = np.array([1.0, 3.0, 5.0, 7.0, -3.0, 0.0])
    y_s = np.array([1, 1, 1, 0, 0, 0])
    m = eps_delta(z_o, y_o, z_s, y_s)

    def var(a):
        return float(np.var(a, ddof=1))

    assert m.kappa_m_original == pytest.approx(100.0)
    assert m.kappa_m_resampled == pytest.approx(0.0)
    assert m.delta_kappa_m == pytest.approx(100.0)
    assert m.delta_O_m == pytest.approx(math.log10(var([1, 3, 5]) / var([0.1, 0.3])))
    assert m.delta_O_M == pytest.approx(math.log10(var([7, -3, 0]) / var([-0.2, 0.0, 0.2])))
    assert m.delta_O == pytest.approx((m.delta_O_m + m.delta_O_M) / 2)
    assert m.ratio_minority == pytest.approx(0.5)
    assert m.attains(100, 2.0)
    assert not m.attains(100, m.delta_O + 0.01)


def test_no_change_gives_zero():
    z = np.array([0.9, 2.0, -1.0, 0.1])
    y = np.array([1, 1, 0, 0])
    m = eps_delta(z, y, z, y)
    assert m.delta_kappa_m == 0 and m.delta_O == pytest.approx(0.0)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="one output per label"):
        eps_delta(np.zeros(3), np.zeros(2), np.zeros(2), np.zeros(2))


def test_fig2_histograms_are_written(tmp_path):
    from autogets_ray.moods.plots import plot_z_histograms

    z = np.array([-3.0, -2.0, -250.0, 2.0, 0.1])
    y = np.array([0, 0, 0, 1, 1])
    path = plot_z_histograms(z, y, z[:4], y[:4], tmp_path / "fig" / "z.png", title="toy")
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
