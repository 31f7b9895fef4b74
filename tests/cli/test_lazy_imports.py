"""``--help`` and usage errors import none of torch, scikit-learn, CatBoost or Ray (fresh processes);
``autogets --help`` itself imports no command module, nor pandas, SciPy, pydantic or numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import COMMANDS, cli, load_command
from tests.conftest import REPO_ROOT

HEAVY = ("torch", "sklearn", "catboost", "ray")
#: What the command listing needs none of (the commands' own ``--help`` may load them).
LISTING_FREE = (*HEAVY, "pandas", "scipy", "pydantic", "numpy")

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
heavy = [name for name in {LISTING_FREE!r} if name in sys.modules]
commands = sorted(m for m in sys.modules if m.startswith("autogets_ray.cli.") and m != "autogets_ray.cli.main")
print("PROBE " + json.dumps({{"code": code, "heavy": heavy, "commands": commands}}))
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
    for name in cli.list_commands(click.Context(cli)):
        command = load_command(name)
        paths.append((name,))
        if isinstance(command, click.Group):
            paths += [(name, sub) for sub in sorted(command.commands)]
    return paths


def test_every_command_is_probed():
    names = {path[0] for path in command_paths()}
    assert {"search", "quickstart", "baseline", "moods", "report", "export"} <= names


def test_every_listed_command_loads_under_its_name():
    assert cli.list_commands(click.Context(cli)) == sorted(COMMANDS)
    for name in COMMANDS:
        command = load_command(name)
        assert isinstance(command, click.Command) and command.name == name


@pytest.mark.parametrize("argv", command_paths(), ids=" ".join)
def test_help_imports_nothing_heavy(argv: tuple[str, ...]):
    result = probe(*argv, "--help")
    assert result["code"] == 0
    assert [name for name in result["heavy"] if name in HEAVY] == []


def test_the_command_listing_imports_no_command_nor_pandas_scipy_or_numpy():
    result = probe("--help")
    assert result["code"] == 0
    assert result["heavy"] == []
    assert result["commands"] == []


def test_the_listing_names_every_command_with_its_line():
    text = CliRunner().invoke(cli, ["--help"]).output
    for name, (_, line) in COMMANDS.items():
        assert f"{name} " in text and line in text


def test_a_usage_error_imports_nothing_heavy():
    result = probe("search", "--no-such-option")
    assert result["code"] == 2
    assert [name for name in result["heavy"] if name in HEAVY] == []
