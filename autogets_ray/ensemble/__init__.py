"""Knowledge base and ensemble AutoGeTS (paper §3.4, §5, App. C.2): Ray-free algorithms over the
results of an experiment, and a thin layer that retrains for real (:mod:`.run`)."""

from __future__ import annotations

from autogets_ray.ensemble.algorithms import REQUIREMENTS, r1, r2, r3, run_requirement
from autogets_ray.ensemble.candidates import CandidatePool, SearchRef, Step
from autogets_ray.ensemble.knowledge import (
    KnowledgeBase,
    ResultTables,
    build_and_save_knowledge,
    build_knowledge_base,
)
from autogets_ray.ensemble.trace import EnsembleRun

__all__ = [
    "REQUIREMENTS",
    "CandidatePool",
    "EnsembleRun",
    "KnowledgeBase",
    "ResultTables",
    "SearchRef",
    "Step",
    "build_and_save_knowledge",
    "build_knowledge_base",
    "r1",
    "r2",
    "r3",
    "run_requirement",
]
