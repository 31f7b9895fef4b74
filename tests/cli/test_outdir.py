"""A failed command removes the ``--out`` it created when that holds no results, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from autogets_ray.cli.outdir import cleans_out_on_error
from autogets_ray.errors import UserInputError


def failing_command(*files: str):
    """A command that creates ``out`` (with empty ``ray/``), writes ``files`` there, then fails."""

    @cleans_out_on_error
    def command(out: str) -> None:
        (Path(out) / "ray" / "searches").mkdir(parents=True)
        for name in files:
            (Path(out) / name).write_text("x")
        raise UserInputError("bad input")

    return command


@pytest.mark.parametrize(
    "files", [(), ("config.yaml", "split.parquet", "split.json")], ids=["empty", "setup"]
)
def test_an_out_the_failed_command_created_without_results_is_removed(tmp_path, files):
    out = tmp_path / "a" / "b"
    with pytest.raises(UserInputError):
        failing_command(*files)(out=str(out))
    assert not out.exists() and not (tmp_path / "a").exists() and tmp_path.is_dir()


def test_an_out_holding_results_is_kept(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(UserInputError):
        failing_command("config.yaml", "journal.jsonl")(out=str(out))
    assert sorted(p.name for p in out.iterdir()) == ["config.yaml", "journal.jsonl", "ray"]


def test_an_out_that_existed_before_is_kept_even_empty(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(UserInputError):
        failing_command()(out=str(out))
    assert (out / "ray" / "searches").is_dir()


def test_a_successful_command_keeps_its_out(tmp_path):
    @cleans_out_on_error
    def command(out: str) -> str:
        Path(out).mkdir()
        return "done"

    out = tmp_path / "o"
    assert command(out=str(out)) == "done" and out.is_dir()


def directory_out_commands() -> list[str]:
    """Every command whose ``--out`` is a directory (``predict``'s is a file)."""
    import click

    from autogets_ray.cli.main import COMMANDS, load_command

    names = []
    for name in COMMANDS:
        command = load_command(name)
        for param in command.params:
            if "--out" in getattr(param, "opts", ()) and isinstance(param.type, click.Path):
                if not param.type.file_okay:
                    names.append(name)
    return names


def test_every_command_with_an_out_directory_cleans_it_on_error():
    from autogets_ray.cli.main import load_command

    names = directory_out_commands()
    assert {"baseline", "quickstart", "search", "matrix", "export", "moods"} <= set(names)
    for name in names:
        assert getattr(load_command(name).callback, "cleans_out_on_error", False), name


@pytest.mark.slow
def test_a_search_whose_data_is_missing_leaves_no_out(tmp_path):
    """The data is read after ``--out`` was created (and Ray started): the failure removes it."""
    import os
    import subprocess
    import sys

    out = tmp_path / "new" / "o"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "autogets_ray.cli.main", "search", "--out", str(out), "--quiet"]
        + ["--set", f"dataset.name={tmp_path / 'missing.csv'}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"Error: data file {tmp_path / 'missing.csv'} does not exist; check the path (or the data directory)"
    )
    assert not out.exists() and not out.parent.exists()
