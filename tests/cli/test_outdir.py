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
