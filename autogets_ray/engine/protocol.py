"""The ask/tell protocol between a search algorithm and whoever evaluates its candidates.

A search (an AutoGeTS strategy core, a MOODS run) is a plain, seeded, pickle-safe object:

- ``ask()`` returns the next :class:`Proposal`, ``None`` while it waits for results it needs
  before proposing more (an HSW level, a GA generation, a MOODS round: the batch barrier), or
  :data:`FINISHED` when its budget or space is spent;
- ``tell(candidate_id, outcome)`` hands it the outcome of one proposal; ``None`` means the trial
  failed, and each search says what a failure counts as;
- ``n_issued`` counts the proposals handed out so far: a proposal's position in that order is
  how every tie is broken, never the order in which results arrive.

Given the same seed and the same outcomes, a search proposes the same candidates whatever order
the outcomes arrive in: that is what lets the engine replay a journal of finished trials.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable


class _Finished:
    """The 'no more candidates' sentinel; one instance, which survives pickle and deepcopy."""

    _instance: ClassVar[_Finished | None] = None

    def __new__(cls) -> _Finished:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "FINISHED"

    def __reduce__(self) -> str:
        return "FINISHED"  # pickled by reference to this module's global


FINISHED = _Finished()


@runtime_checkable
class Proposal(Protocol):
    """One candidate to evaluate: an id unique within its search and a JSON-friendly trial config."""

    @property
    def candidate_id(self) -> str: ...

    def to_config(self) -> dict[str, Any]: ...


@runtime_checkable
class AskTell(Protocol):
    """What the engine needs of a search (see the module docstring)."""

    def ask(self) -> Proposal | None | _Finished: ...

    def tell(self, candidate_id: str, outcome: Any | None) -> None: ...

    @property
    def n_issued(self) -> int: ...

    @property
    def finished(self) -> bool: ...
