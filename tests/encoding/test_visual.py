from __future__ import annotations

import numpy as np
import pytest

from autogets_ray.encoding import AREAS, Area, VisualEncoder, class_area


@pytest.fixture(scope="module")
def fitted(demo_split):
    texts = demo_split.train["text"].tolist()
    encoder = VisualEncoder(n_components=4, seed=0)
    return encoder, encoder.fit_transform(texts), texts


def test_new_texts_project_with_the_same_fit(fitted, demo_split):
    encoder, coords, texts = fitted
    assert coords.shape == (len(texts), 4)
    np.testing.assert_allclose(encoder.transform(texts[:5]), coords[:5], atol=1e-10)
    # A new text (e.g. a synthetic sample) projects without refitting and deterministically.
    new = ["printer toner jam please help", "vpn connection slow"]
    np.testing.assert_allclose(encoder.transform(new), encoder.transform(new))
    assert encoder.transform(new).shape == (2, 4)


def test_refit_is_reproducible(fitted):
    encoder, coords, texts = fitted
    again = VisualEncoder(n_components=4, seed=0).fit_transform(texts)
    np.testing.assert_allclose(np.abs(again), np.abs(coords), atol=1e-8)


def test_components_are_ordered_by_variance_and_pairs_cover_them(fitted):
    encoder, _, _ = fitted
    ratio = encoder.explained_variance_ratio
    assert np.all(np.diff(ratio) <= 1e-12)
    assert encoder.component_pairs() == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]


def test_transform_before_fit_fails():
    with pytest.raises(ValueError, match="before fit"):
        VisualEncoder().transform(["x"])


def test_topic_minmax_and_full_size_areas():
    points = np.array([[0.0, 0.0], [1.0, 2.0], [4.0, 4.0], [-2.0, -1.0]])
    labels = np.array(["t", "t", "o", "o"])
    topic = class_area(points, labels, "t", "topic-minmax")
    assert (topic.x0, topic.x1) == pytest.approx((-0.005, 1.005))
    assert (topic.y0, topic.y1) == pytest.approx((-0.01, 2.01))
    full = class_area(points, labels, "t", "full-size")
    assert (full.x0, full.x1) == pytest.approx((-2.03, 4.03))
    assert full.contains(points).all()
    assert topic.contains(points).tolist() == [True, True, False, False]
    assert set(AREAS.names()) == {"topic-minmax", "full-size"}
    with pytest.raises(ValueError, match="no points"):
        class_area(points, labels, "absent")
    with pytest.raises(ValueError, match="unknown class area"):
        class_area(points, labels, "t", "square")


def test_degenerate_area_is_not_empty():
    area = Area.bounding(np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert area.contains(np.array([[1.0, 1.0]])).all() and area.x1 > area.x0
