"""cluster/submit_search.py: the command line it hands to ``autogets`` on the head node."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO_ROOT


def _script():
    spec = importlib.util.spec_from_file_location("submit_search", REPO_ROOT / "cluster" / "submit_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_search_is_the_default_and_matrix_can_be_named():
    script = _script()
    assert script.command_line(["--out", "d"]) == ["search", "--out", "d"]
    assert script.command_line(["matrix", "--out", "d"]) == ["matrix", "--out", "d"]
    assert script.command_line([]) == ["search"]


def test_a_relative_config_resolves_against_the_mounted_checkout(tmp_path, monkeypatch):
    script = _script()
    (tmp_path / "search_spaces").mkdir()
    (tmp_path / "search_spaces" / "x.yaml").write_text("seed: 0\n")
    monkeypatch.setattr(script, "CHECKOUTS", (tmp_path,))
    monkeypatch.chdir(tmp_path.parent)
    assert script.command_line(["matrix", "--config", "search_spaces/x.yaml"]) == [
        "matrix",
        "--config",
        str(tmp_path / "search_spaces" / "x.yaml"),
    ]
