"""Exceptions the command line reports specially (bad input is a plain ``ValueError``)."""
from __future__ import annotations


class SearchInterrupted(RuntimeError):
    """Tune stopped an experiment before its searcher finished (Ctrl-C, SIGUSR1); its state is saved.

    ``out`` is the experiment's directory: the command line names the resume command with it;
    ``resume_hint`` replaces that command for commands that resume otherwise.
    """

    def __init__(self, message: str, out: str | None = None, resume_hint: str | None = None) -> None:
        super().__init__(message)
        self.out = out
        self.resume_hint = resume_hint
