"""Entry script for ``ray submit``: runs ``autogets search`` on the cluster's head node.

    ray submit cluster/aws-gpu.yaml cluster/submit_search.py -- --config search_spaces/paper-catboost.yaml --out DIR

Arguments after ``--`` are those of ``autogets search``. The script joins the running cluster
(RAY_ADDRESS=auto), so trials spread over every node; relative --config paths are resolved against
the package checkout that the cluster YAML mounted, if they do not exist in the working directory.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CHECKOUTS = (Path("/home/ubuntu/autogets-ray"), Path("/opt/autogets-ray"))


def _resolve_config(argv: list[str]) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--config" and not Path(out[i + 1]).exists():
            for root in CHECKOUTS:
                if (root / out[i + 1]).exists():
                    out[i + 1] = str(root / out[i + 1])
    return out


def main() -> None:
    os.environ.setdefault("RAY_ADDRESS", "auto")
    from autogets_ray.cli.main import cli

    cli(["search", *_resolve_config(sys.argv[1:])], prog_name="autogets")


if __name__ == "__main__":
    main()
