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


@pytest.mark.parametrize("args, message", [
    (["--requirement", "r1"], "is not a directory"),
    ([], "choose --requirement r1, r2 or r3"),
    (["--requirement", "r3"], "needs the important class (--target-class)"),
    (["--requirement", "r2", "--target-class", "C"], "--target-class is for requirement r3 only"),
    (["--requirement", "r3", "--target-class", "Nope"], "unknown class 'Nope'"),
])
def test_bad_ensemble_input_is_a_clear_error(tmp_path, args, message):
    root = tmp_path / "res" if "is not a directory" in message else write_results(tmp_path / "res")
    result = CliRunner().invoke(cli, ["ensemble", str(root), *args])
    assert result.exit_code == 2
    assert message in result.output
