"""``autogets ensemble``: the knowledge base on its own, and clear errors for bad input (no retrains)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from tests.ensemble.helpers import write_results


def test_knowledge_only_writes_the_knowledge_base_and_prints_table_3(tmp_path):
    root = write_results(tmp_path / "res")
    result = CliRunner().invoke(cli, ["ensemble", str(root), "--knowledge-only"])
    assert result.exit_code == 0, result.output
    assert "sw-cba +0.2000" in result.output  # C's best CBA: C-sw-cba, +0.20
    for name in ("lookup.csv", "interaction.csv", "interaction_test.csv", "oba_effect.csv", "classes.csv"):
        assert (root / "knowledge_base" / name).exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--requirement", "r1"], "is not a directory"),
        ([], "choose --requirement r1, r2 or r3"),
        (["--requirement", "r3"], "needs the important class (--target-class)"),
        (["--requirement", "r2", "--target-class", "C"], "--target-class is for requirement r3 only"),
        (["--requirement", "r3", "--target-class", "Nope"], "unknown class 'Nope'"),
    ],
)
def test_bad_ensemble_input_is_a_clear_error(tmp_path, args, message):
    root = tmp_path / "res" if "is not a directory" in message else write_results(tmp_path / "res")
    result = CliRunner().invoke(cli, ["ensemble", str(root), *args])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("args", [["--knowledge-only"], ["--requirement", "r2"]])
@pytest.mark.parametrize(
    "breakage, message",
    [
        ("no m0.json", "holds no m0.json"),
        ("empty trials", "the trials table is empty"),
        ("trials without keys", "the trials table lacks column(s) search_id"),
    ],
)
def test_a_broken_results_dir_is_a_user_error_not_an_internal_one(tmp_path, args, breakage, message):
    """The ensemble library raises UserInputError itself: `Error: ...`, exit 2, no traceback hint."""
    import pandas as pd

    root = write_results(tmp_path / "res")
    trials = pd.read_parquet(root / "trials.parquet")
    if breakage == "no m0.json":
        (root / "m0.json").unlink()
    elif breakage == "empty trials":
        trials.head(0).to_parquet(root / "trials.parquet", index=False)
    else:
        trials.drop(columns=["search_id"]).to_parquet(root / "trials.parquet", index=False)
    result = CliRunner().invoke(cli, ["ensemble", str(root), *args])
    assert result.exit_code == 2, result.output
    assert f"Error: {root}" in result.output or f"Error: {message}" in result.output
    assert message in result.output
    assert "internal error" not in result.output
    assert not (root / "knowledge_base").exists()
