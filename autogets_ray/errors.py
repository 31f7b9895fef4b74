"""Exceptions the command line reports specially.

Bad input (a config value, an option, a file) is a :class:`UserInputError`: the command line prints
its message and exits 2. Any other exception is an internal error (exit 1, traceback with ``--debug``).
"""

from __future__ import annotations


class UserInputError(ValueError):
    """Input the user can fix: a wrong config value, option, file or name.

    A ``ValueError`` subclass, so callers that catch ``ValueError`` keep working. ``key`` names the
    option at fault inside the thing being checked (e.g. ``"backend"`` of the ``llm:`` block) and
    ``reason`` is the message without that name; config validation uses both to report
    ``llm.backend: ...``.
    """

    def __init__(self, message: str = "", key: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.reason = reason


class SearchInterrupted(RuntimeError):
    """Tune stopped an experiment before its searcher finished (Ctrl-C, SIGUSR1); its state is saved.

    ``out`` is the experiment's directory: the command line names the resume command with it;
    ``resume_hint`` replaces that command for commands that resume otherwise.
    """

    def __init__(self, message: str, out: str | None = None, resume_hint: str | None = None) -> None:
        super().__init__(message)
        self.out = out
        self.resume_hint = resume_hint
