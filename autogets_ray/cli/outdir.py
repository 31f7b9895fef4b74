"""A failed command leaves no ``--out`` directory behind that it created and filled with nothing."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

#: What a run writes before it computes anything (the resolved config, the persisted split): a
#: directory the failed command created that holds only these (and empty folders) holds no results.
SETUP_FILES = frozenset({"config.yaml", "split.parquet", "split.json", "experiment.json"})


def holds_results(directory: Path) -> bool:
    """Whether ``directory`` holds any file (or link) other than :data:`SETUP_FILES`."""
    for path in directory.rglob("*"):
        if path.is_symlink() or (not path.is_dir() and path.name not in SETUP_FILES):
            return True
    return False


def remove_if_unused(directory: Path) -> bool:
    """Delete ``directory`` when it holds no results; whether it was deleted."""
    if not directory.is_dir() or directory.is_symlink() or holds_results(directory):
        return False
    shutil.rmtree(directory, ignore_errors=True)
    return not directory.exists()


def first_missing(path: Path) -> Path | None:
    """The outermost of ``path`` and its parents that does not exist (None when ``path`` exists)."""
    missing = None
    path = path.absolute()
    while not path.exists() and not path.is_symlink():
        missing, path = path, path.parent
    return missing


def cleans_out_on_error(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorates a command with an ``out`` parameter: when the command fails (any exception but a
    successful exit) and ``out`` did not exist before it started, ``out`` (and the parents the command
    created for it) is removed if it holds no results. A directory that existed before is never
    touched."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        out = kwargs.get("out")
        created = first_missing(Path(out)) if out is not None else None
        try:
            return func(**kwargs)
        except click.exceptions.Exit as exc:
            if exc.exit_code != 0 and created is not None:
                remove_if_unused(created)
            raise
        except BaseException:
            if created is not None:
                remove_if_unused(created)
            raise

    wrapper.cleans_out_on_error = True  # type: ignore[attr-defined]  # what the CLI tests look for
    return wrapper
