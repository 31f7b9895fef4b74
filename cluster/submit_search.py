"""Entry script for ``ray submit``: runs ``autogets search`` (or ``matrix``, ``moods``) on the head node.

    ray submit cluster/aws-gpu.yaml cluster/submit_search.py -- --config search_spaces/paper-catboost.yaml --out DIR
    ray submit cluster/aws-gpu.yaml cluster/submit_search.py -- matrix --config search_spaces/paper-catboost.yaml --out DIR
    ray submit cluster/aws-gpu.yaml cluster/submit_search.py -- moods --dataset yeast --runs 5 --out DIR

Arguments after ``--`` are those of ``autogets search``, or a command among ``COMMANDS`` and its
arguments. The script joins the running cluster
(RAY_ADDRESS=auto), so trials spread over every node; relative --config paths are resolved against
the package checkout that the cluster YAML mounted, if they do not exist in the working directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHECKOUTS = (Path("/home/ubuntu/autogets-ray"), Path("/opt/autogets-ray"))
#: Commands this script may run (the first argument); anything else means ``search``.
COMMANDS = ("search", "matrix", "quickstart", "moods")


def _resolve_config(argv: list[str]) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--config" and not Path(out[i + 1]).exists():
            for root in CHECKOUTS:
                if (root / out[i + 1]).exists():
                    out[i + 1] = str(root / out[i + 1])
    return out


def command_line(argv: list[str]) -> list[str]:
    """``autogets`` arguments: the named command (default ``search``) and resolved config paths."""
    command, rest = (argv[0], argv[1:]) if argv and argv[0] in COMMANDS else ("search", argv)
    return [command, *_resolve_config(rest)]


def main() -> None:
    os.environ.setdefault("RAY_ADDRESS", "auto")
    from autogets_ray.cli.main import cli

    cli(command_line(sys.argv[1:]), prog_name="autogets")


if __name__ == "__main__":
    main()
