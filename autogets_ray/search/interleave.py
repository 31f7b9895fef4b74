"""Several search cores as one ask/tell source: a whole experiment matrix on one Tuner.

Every (class x strategy x objective) search keeps its own core, seed and retrain-time budget (paper
§4: each search has its fixed-time budget). :meth:`InterleavedSearch.ask` asks the searches in
fair-share order, the one with the fewest projected retrain seconds first, so that whichever search
has a candidate ready fills a free trial slot: a search waiting for its HSW level or GA generation
leaves its slots to the others and the cluster stays busy. Each core only sees its own outcomes,
so a search proposes the same candidates as it would alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autogets_ray.search.core import FINISHED, Candidate, SearchCore, TrialOutcome, _Finished

#: Separates the search id from the core's own candidate id ("Security-sw-cba:sw-p0.1-w42").
ID_SEPARATOR = ":"


@dataclass(frozen=True)
class TaggedCandidate(Candidate):
    """A core's candidate, renamed to be unique across searches and carrying its search's fields."""

    search: dict[str, Any] = field(default_factory=dict, hash=False)
    #: position in its own search's proposal order (0 = first asked): ties are broken by it
    proposal_index: int = -1

    def to_config(self) -> dict[str, Any]:
        return {**super().to_config(), **self.search, "proposal_index": self.proposal_index}


class InterleavedSearch:
    """Ask/tell over ``cores`` (search id -> core); ``tags`` (search id -> fields) go into configs."""

    def __init__(self, cores: Mapping[str, SearchCore], tags: Mapping[str, dict[str, Any]] | None = None) -> None:
        if not cores:
            raise ValueError("an interleaved search needs at least one search core")
        bad = [sid for sid in cores if ID_SEPARATOR in sid]
        if bad:
            raise ValueError(f"search ids may not contain {ID_SEPARATOR!r}: {', '.join(bad)}")
        self.cores: dict[str, SearchCore] = dict(cores)
        self.tags = {sid: {"search_id": sid, **dict((tags or {}).get(sid, {}))} for sid in self.cores}
        self._finished: list[str] = []  # in the order the searches finished
        self._reported = 0

    def ask(self) -> TaggedCandidate | None | _Finished:
        """The next candidate of the neediest search with one ready; None while all wait; FINISHED."""
        order = list(self.cores)
        waiting = [sid for sid in order if sid not in self._finished]
        waiting.sort(key=lambda sid: (self.cores[sid].projected_seconds, order.index(sid)))
        for sid in waiting:
            item = self.cores[sid].ask()
            if item is FINISHED:
                self._finished.append(sid)
            elif item is not None:
                return TaggedCandidate(f"{sid}{ID_SEPARATOR}{item.candidate_id}", item.example_ids,
                                       item.info, search=self.tags[sid],
                                       proposal_index=self.cores[sid].n_issued - 1)
        return FINISHED if len(self._finished) == len(self.cores) else None

    def tell(self, candidate_id: str, outcome: TrialOutcome | None) -> None:
        sid, separator, own_id = candidate_id.partition(ID_SEPARATOR)
        if not separator or sid not in self.cores:
            raise ValueError(f"candidate {candidate_id!r} belongs to none of the searches "
                             f"({', '.join(self.cores)})")
        self.cores[sid].tell(own_id, outcome)

    @property
    def finished(self) -> tuple[str, ...]:
        """Search ids whose core said FINISHED, in that order."""
        return tuple(self._finished)

    def newly_finished(self) -> list[str]:
        """Searches that finished since the last call (each is returned once)."""
        fresh = self._finished[self._reported:]
        self._reported = len(self._finished)
        return fresh

    @property
    def best(self) -> None:
        """No single best across searches of different objectives: see each core's ``best``."""
        return None
