"""The shared real experiment (tests/deploy/helpers.py), with its generation cache in the environment."""

from __future__ import annotations

import pytest

from tests.deploy.helpers import cache_dir, shared_results


@pytest.fixture(scope="module")
def results(tmp_path_factory, small_experiment):
    root = shared_results(tmp_path_factory, small_experiment)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "AUTOGETS_CACHE_DIR", str(cache_dir(root))
        )  # regenerated samples come from the search's cache
        yield root
