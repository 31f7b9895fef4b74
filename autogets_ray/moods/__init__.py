"""MOODS (Medlin, Leyffer, Raghavan): multi-objective bilevel resampling of imbalanced tabular data.

Ray-free core (``core``, ``step``, ``local``, ``sampler``), the Ray Tune layer (``tune_searcher``,
``tune_run``), the ε/δ metric (``eps_delta``), baselines and the experiment runner.
"""
from __future__ import annotations
