"""Tabular loaders for MOODS: shapes, minority counts, clear errors."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from autogets_ray.data import tabular_sources
from autogets_ray.data.tabular import TABULAR_DATASETS, load_tabular, read_keel

EXPECTED = {  # name: (rows, features, minority)
    "ecoli": (336, 7, 20),
    "yeast": (514, 8, 51),
    "winequality": (656, 11, 18),
    "abalone": (4177, 10, 839),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_packaged_datasets_have_the_documented_shape(name):
    data = load_tabular(name)
    rows, features, minority = EXPECTED[name]
    assert data.X.shape == (rows, features)
    assert data.n_minority == minority
    assert set(np.unique(data.y)) == {0, 1}
    assert np.isfinite(data.X).all()


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,shape,minority", [("spambase", (4601, 57), 1813), ("shuttle", (58000, 9), 171)]
)
def test_debian_datasets_are_fetched_and_verified(name, shape, minority):
    if shutil.which("apt-get") is None and not any(
        f.cached_path().exists() for f in (tabular_sources.SPAM_RDA, tabular_sources.SHUTTLE_RDA)
    ):
        pytest.skip("no apt-get and no cached .rda files on this machine")
    data = load_tabular(name)
    assert data.X.shape == shape
    assert data.n_minority == minority


def test_missing_debian_source_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(tabular_sources.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no apt-get, no dpkg-deb
    with pytest.raises(ValueError) as info:
        tabular_sources.SPAM_RDA.obtain()
    message = str(info.value)
    assert "apt-get download r-cran-kernlab" in message
    assert str(tmp_path / "tabular" / "r-cran-kernlab" / "spam.rda") in message


def test_corrupt_cached_file_is_rejected_by_checksum(tmp_path, monkeypatch):
    monkeypatch.setenv(tabular_sources.CACHE_ENV, str(tmp_path))
    target = tabular_sources.SHUTTLE_RDA.cached_path()
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an R file")
    with pytest.raises(ValueError, match="checksum"):
        load_tabular("shuttle")


def test_keel_reader_parses_header_and_rows(tmp_path):
    path = tmp_path / "toy.dat"
    path.write_text(
        "@relation toy\n@attribute A real [0, 1]\n@attribute B real [0, 1]\n"
        "@attribute Class {positive, negative}\n@data\n0.1, 0.2, positive\n0.3,0.4,negative\n"
    )
    features, label = read_keel(path)
    assert features.to_numpy().tolist() == [[0.1, 0.2], [0.3, 0.4]]
    assert label.tolist() == ["positive", "negative"]


def test_unknown_name_lists_the_registered_datasets():
    with pytest.raises(ValueError, match="ecoli"):
        load_tabular("no-such-dataset")
    assert "ecoli" in TABULAR_DATASETS


def _write(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_csv_file_with_two_labels_takes_the_rarer_as_minority(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=60), "b": rng.normal(size=60), "label": ["x"] * 48 + ["y"] * 12}
    )
    data = load_tabular(_write(tmp_path, frame))
    assert data.minority == "y" and data.n_minority == 12 and data.X.shape == (60, 2)


def test_csv_with_three_labels_is_refused(tmp_path):
    frame = pd.DataFrame({"a": range(60), "label": ["x"] * 30 + ["y"] * 20 + ["z"] * 10})
    with pytest.raises(ValueError, match="exactly two labels"):
        load_tabular(_write(tmp_path, frame))


def test_csv_errors_name_the_problem(tmp_path):
    frame = pd.DataFrame({"a": range(60), "txt": ["s"] * 60, "label": ["x"] * 45 + ["y"] * 15})
    path = _write(tmp_path, frame)
    with pytest.raises(ValueError, match="no column 'target'"):
        load_tabular(path, label_column="target")
    with pytest.raises(ValueError, match="numeric.*txt"):
        load_tabular(path)
    with pytest.raises(ValueError, match="not one of"):
        load_tabular(path, minority_label="q")


@pytest.mark.parametrize(("stored", "given"), [([0.0, 1.0], "1"), ([0, 1], "1.0"), ([0, 1], "1")])
def test_a_numeric_minority_label_matches_however_it_is_written(tmp_path, stored, given):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=60), "label": [stored[0]] * 45 + [stored[1]] * 15})
    data = load_tabular(_write(tmp_path, frame), minority_label=given)
    assert data.n_minority == 15 and float(data.minority) == 1.0


def test_a_numeric_label_that_is_not_there_is_still_refused(tmp_path):
    frame = pd.DataFrame({"a": range(60), "label": [0.0] * 45 + [1.0] * 15})
    with pytest.raises(ValueError, match="minority label '2' is not one of"):
        load_tabular(_write(tmp_path, frame), minority_label="2")
