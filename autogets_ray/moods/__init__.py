"""MOODS (Medlin, Leyffer, Raghavan): multi-objective bilevel resampling of imbalanced tabular data.

Ray-free core (``core``, ``step``, ``local``, ``sampler``, ``search``: a run as an engine search),
the Ray Tune trial and runner (``tune_run``), the ε/δ metric (``eps_delta``), baselines and the experiment runner.
"""

from __future__ import annotations
