"""Many searches as one ask/tell source, so one Tuner runs a whole experiment.

Each search keeps its own core, seed and budget and only ever sees its own outcomes, so it
proposes exactly what it would alone. :meth:`Interleaver.ask` asks the searches in priority order
(lowest first; ties by the order the searches were given) and returns the first candidate any of
them has ready: a search waiting at its batch barrier leaves its trial slots to the others, and
the cluster stays busy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autogets_ray.engine.protocol import FINISHED, AskTell, Proposal, _Finished
from autogets_ray.errors import UserInputError

#: Separates the search id from the search's own candidate id ("Security-sw-cba:sw-p0.1-w42").
ID_SEPARATOR = ":"


def candidates_issued(core: AskTell) -> Any:
    """Default priority: fair share by proposals handed out."""
    return core.n_issued


@dataclass(frozen=True)
class TaggedProposal:
    """A search's proposal, named uniquely across searches, with its search's config fields."""

    search_id: str
    proposal: Proposal
    #: fields every trial config of this search carries (``search_id`` among them)
    tags: dict[str, Any] = field(default_factory=dict, hash=False)
    #: position in its own search's proposal order (0 = first asked): ties are broken by it
    proposal_index: int = -1

    @property
    def candidate_id(self) -> str:
        return f"{self.search_id}{ID_SEPARATOR}{self.proposal.candidate_id}"

    @property
    def own_id(self) -> str:
        return str(self.proposal.candidate_id)

    def to_config(self) -> dict[str, Any]:
        return {**self.proposal.to_config(), **self.tags, "proposal_index": self.proposal_index}


def split_id(candidate_id: str) -> tuple[str, str]:
    """``"search:own"`` -> ``("search", "own")``."""
    search_id, separator, own = candidate_id.partition(ID_SEPARATOR)
    if not separator:
        raise ValueError(f"candidate id {candidate_id!r} names no search (expected 'search{ID_SEPARATOR}id')")
    return search_id, own


class Interleaver:
    """Ask/tell over ``cores`` (search id -> search).

    ``tags`` (search id -> fields) go into that search's trial configs; ``priority(core)`` orders
    the searches at every ask (lowest first), by default :func:`candidates_issued`.
    """

    def __init__(
        self,
        cores: Mapping[str, AskTell],
        tags: Mapping[str, dict[str, Any]] | None = None,
        priority: Callable[[AskTell], Any] = candidates_issued,
    ) -> None:
        if not cores:
            raise UserInputError("an interleaved search needs at least one search")
        bad = [sid for sid in cores if ID_SEPARATOR in sid]
        if bad:
            raise UserInputError(f"search ids may not contain {ID_SEPARATOR!r}: {', '.join(bad)}")
        self.cores: dict[str, AskTell] = dict(cores)
        self.tags = {sid: {"search_id": sid, **dict((tags or {}).get(sid, {}))} for sid in self.cores}
        self.priority = priority
        self._finished: list[str] = []  # in the order the searches finished
        self._reported = 0

    def ask(self) -> TaggedProposal | None | _Finished:
        """The next candidate of the first search (by priority) with one ready; None while all wait."""
        order = list(self.cores)
        waiting = [sid for sid in order if sid not in self._finished]
        waiting.sort(key=lambda sid: (self.priority(self.cores[sid]), order.index(sid)))
        for sid in waiting:
            item = self.cores[sid].ask()
            if item is FINISHED:
                self._finished.append(sid)
            elif item is not None:
                return TaggedProposal(sid, item, self.tags[sid], self.cores[sid].n_issued - 1)
        return FINISHED if len(self._finished) == len(self.cores) else None

    def tell(self, candidate_id: str, outcome: Any | None) -> None:
        sid, own = split_id(candidate_id)
        if sid not in self.cores:
            raise ValueError(
                f"candidate {candidate_id!r} belongs to none of the searches ({', '.join(self.cores)})"
            )
        self.cores[sid].tell(own, outcome)

    def close(self, search_id: str) -> None:
        """Count ``search_id`` as finished from now on (e.g. the experiment's wall clock ran out)."""
        if search_id in self.cores and search_id not in self._finished:
            self._finished.append(search_id)

    @property
    def finished(self) -> tuple[str, ...]:
        """Search ids that finished (or were closed), in that order."""
        return tuple(self._finished)

    def newly_finished(self) -> list[str]:
        """Searches that finished since the last call (each is returned once)."""
        fresh = self._finished[self._reported :]
        self._reported = len(self._finished)
        return fresh

    def open_searches(self) -> list[str]:
        return [sid for sid in self.cores if sid not in self._finished]
