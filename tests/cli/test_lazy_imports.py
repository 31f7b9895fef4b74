"""``--help`` and usage errors import none of torch, scikit-learn, CatBoost or Ray (fresh processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from autogets_ray.cli.main import cli
from tests.conftest import REPO_ROOT

HEAVY = ("torch", "sklearn", "catboost", "ray")

#: Runs ``autogets`` with argv ``sys.argv[1:]`` and prints its exit code and the heavy modules loaded.
PROBE = f"""
import json, sys
argv = sys.argv[1:]
sys.argv = ["autogets", *argv]
from autogets_ray.cli.main import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
heavy = [name for name in {HEAVY!r} if name in sys.modules]
print("PROBE " + json.dumps({{"code": code, "heavy": heavy}}))
"""


def probe(*argv: str) -> dict:
    """Exit code and heavy modules of ``autogets ARGV`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("PROBE ")]
    assert proc.returncode == 0 and lines, proc.stdout + proc.stderr
    return json.loads(lines[-1].removeprefix("PROBE "))


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand: ``("search",)``, ``("cache", "stats")``, ..."""
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(cli.commands.items()):
        paths.append((name,))
        if isinstance(command, click.Group):
            paths += [(name, sub) for sub in sorted(command.commands)]
    return paths


def test_every_command_is_probed():
    names = {path[0] for path in command_paths()}
    assert {"search", "quickstart", "baseline", "moods", "report", "export"} <= names


@pytest.mark.parametrize("argv", [(), *command_paths()], ids=lambda argv: " ".join(argv) or "autogets")
def test_help_imports_nothing_heavy(argv: tuple[str, ...]):
    result = probe(*argv, "--help")
    assert result == {"code": 0, "heavy": []}


def test_a_usage_error_imports_nothing_heavy():
    result = probe("search", "--no-such-option")
    assert result == {"code": 2, "heavy": []}
