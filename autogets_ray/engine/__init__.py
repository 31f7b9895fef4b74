"""The one Ray Tune engine every search of the package runs on (AutoGeTS and MOODS).

Search algorithms are Ray-free ask/tell objects (:mod:`autogets_ray.engine.protocol`). The engine
interleaves many of them (:mod:`.interleave`), hands their candidates to Ray Tune through one
``Searcher`` (:mod:`.searcher`), appends every finished trial to a durable journal
(:mod:`.journal`) and replays that journal on a rerun, so nothing finished is ever trained again
(:mod:`.run`). docs/engine.md describes the design.
"""

from __future__ import annotations

from autogets_ray.engine.protocol import FINISHED, AskTell, Proposal

__all__ = ["FINISHED", "AskTell", "Proposal"]
