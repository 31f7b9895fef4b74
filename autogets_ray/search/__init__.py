"""Ray-free search cores (SW, HSW, GA, random) behind one ask/tell interface (docs/design.md#code-shape).

``STRATEGIES`` maps a strategy name to its core class; :func:`create_core` builds one. They run on Ray
Tune through the package's one engine, :mod:`autogets_ray.engine` (the cores themselves need no Ray).
"""

from __future__ import annotations

from autogets_ray.search.core import (
    FINISHED,
    STRATEGIES,
    Candidate,
    SearchCore,
    SearchProblem,
    TrajectoryPoint,
    TrialOutcome,
    create_core,
    strategy_parameters,
)
from autogets_ray.search.datamodel import DatamodelCore
from autogets_ray.search.ga import GeneticCore
from autogets_ray.search.hsw import HierarchicalWindowCore
from autogets_ray.search.random_search import RandomSubsetCore
from autogets_ray.search.results import outcome_from_result
from autogets_ray.search.sw import SlidingWindowCore

__all__ = [
    "FINISHED",
    "STRATEGIES",
    "Candidate",
    "DatamodelCore",
    "GeneticCore",
    "HierarchicalWindowCore",
    "RandomSubsetCore",
    "SearchCore",
    "SearchProblem",
    "SlidingWindowCore",
    "TrajectoryPoint",
    "TrialOutcome",
    "create_core",
    "outcome_from_result",
    "strategy_parameters",
]
