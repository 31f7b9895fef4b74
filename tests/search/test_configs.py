"""The strategy parameters of every ready config in search_spaces/ build a core."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autogets_ray.search import STRATEGIES, create_core
from tests.search.helpers import make_problem

SEARCH_SPACES = Path(__file__).resolve().parents[2] / "search_spaces"
CONFIGS = sorted(SEARCH_SPACES.glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_strategy_params_match_the_factories(path):
    data = yaml.safe_load(path.read_text()) or {}
    for strategy, params in (data.get("strategy_params") or {}).items():
        assert strategy in STRATEGIES, f"{path.name}: unknown strategy {strategy!r}"
        core = create_core(strategy, make_problem(max_candidates=5), seed=0, **(params or {}))
        assert core.ask() is not None
