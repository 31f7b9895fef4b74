"""Exceptions the command line reports specially (bad input is a plain ``ValueError``)."""
from __future__ import annotations


class SearchInterrupted(RuntimeError):
    """Tune stopped a search before its searcher finished (Ctrl-C, SIGUSR1); its state is saved."""
