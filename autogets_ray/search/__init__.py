"""Ray-free search cores (SW, HSW, GA, random) behind one ask/tell interface (DESIGN.md §2).

``STRATEGIES`` maps a strategy name to its core class; :func:`create_core` builds one. The Ray Tune
adapter lives in :mod:`autogets_ray.search.tune_searcher` (imported on demand, so the cores work
without Ray).
"""
from __future__ import annotations

from autogets_ray.search.core import (
    FINISHED, STRATEGIES, Candidate, SearchCore, SearchProblem, TrajectoryPoint, TrialOutcome, create_core,
    strategy_parameters,
)
from autogets_ray.search.ga import GeneticCore
from autogets_ray.search.hsw import HierarchicalWindowCore
from autogets_ray.search.interleave import InterleavedSearch, TaggedCandidate
from autogets_ray.search.random_search import RandomSubsetCore
from autogets_ray.search.results import outcome_from_result
from autogets_ray.search.sw import SlidingWindowCore

__all__ = [
    "FINISHED", "STRATEGIES", "Candidate", "GeneticCore", "HierarchicalWindowCore", "InterleavedSearch",
    "RandomSubsetCore",
    "SearchCore", "SearchProblem", "SlidingWindowCore", "TaggedCandidate", "TrajectoryPoint", "TrialOutcome",
    "create_core",
    "outcome_from_result", "strategy_parameters",
]
