"""How the ``autogets`` group reports errors: bad input exit 2, anything else exit 1, --debug tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import autogets_ray.cli.search as search_cli
from autogets_ray.cli.main import cli
from autogets_ray.errors import UserInputError
from tests.conftest import REPO_ROOT


def failing(exc: BaseException):
    def load_config(*args, **kwargs):
        raise exc

    return load_config


def test_user_input_is_error_lines_and_exit_2(monkeypatch, tmp_path):
    monkeypatch.setattr(search_cli, "load_config", failing(UserInputError("first problem\nsecond problem")))
    result = CliRunner().invoke(cli, ["search", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["Error: first problem", "Error: second problem"]


@pytest.mark.parametrize("exc", [ValueError("boom"), KeyError("k"), RuntimeError("kaput\nmore")])
def test_any_other_exception_is_a_one_line_internal_error_exit_1(monkeypatch, tmp_path, exc):
    monkeypatch.setattr(search_cli, "load_config", failing(exc))
    result = CliRunner().invoke(cli, ["search", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    first = str(exc).strip().splitlines()[0]
    assert result.output.splitlines() == [
        f"internal error: {type(exc).__name__}: {first} (rerun with --debug for the traceback)"
    ]
    assert "Traceback" not in result.output


def test_an_error_raised_in_a_ray_task_is_reported_as_its_cause(monkeypatch, tmp_path):
    from ray.exceptions import RayTaskError

    remote = RayTaskError(
        "generate", "Traceback (most recent call last):\n  ...", UserInputError("bad option")
    )
    monkeypatch.setattr(search_cli, "load_config", failing(remote.as_instanceof_cause()))
    result = CliRunner().invoke(cli, ["search", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.output.splitlines() == ["Error: bad option"]


def test_debug_reraises(monkeypatch, tmp_path):
    monkeypatch.setattr(search_cli, "load_config", failing(ValueError("boom")))
    result = CliRunner().invoke(cli, ["--debug", "search", "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, ValueError) and "internal error" not in result.output
    monkeypatch.setattr(search_cli, "load_config", failing(UserInputError("bad")))
    result = CliRunner().invoke(cli, ["--debug", "search", "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, UserInputError)


def test_debug_shows_the_traceback_of_the_console_script(tmp_path):
    script = (
        "import autogets_ray.cli.search as s\n"
        "def load_config(*a, **k):\n    raise ValueError('boom from deep inside')\n"
        "s.load_config = load_config\n"
        "from autogets_ray.cli.main import cli\n"
        "import sys\ncli(sys.argv[1:], prog_name='autogets')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    args = ["search", "--out", str(tmp_path / "o")]
    plain = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert (
        "internal error: ValueError: boom from deep inside (rerun with --debug for the traceback)"
        in plain.stderr
    )
    debug = subprocess.run(
        [sys.executable, "-c", script, "--debug", *args], capture_output=True, text=True, env=env
    )
    assert debug.returncode == 1
    assert (
        "Traceback (most recent call last)" in debug.stderr
        and "ValueError: boom from deep inside" in debug.stderr
    )


def test_click_usage_errors_stay_exit_2():
    result = CliRunner().invoke(cli, ["moods", "--dataset", "ecoli", "--runs", "two", "--out", "x"])
    assert result.exit_code == 2 and "'two' is not a valid integer" in result.output
    assert CliRunner().invoke(cli, ["no-such-command"]).exit_code == 2


def test_the_group_has_debug_and_verbose_flags():
    text = CliRunner().invoke(cli, ["--help"]).output
    assert "--debug" in text and "-v, --verbose" in text
