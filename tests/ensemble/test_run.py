"""A real small experiment on demo-tickets (Ray Tune search), then the knowledge base and every
requirement through ``autogets ensemble`` with real retrains."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from autogets_ray.ensemble.trace import step_columns
from tests.conftest import copy_experiment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory, small_experiment):
    """A copy of the session's small experiment (2 smallest classes x (hsw, random) x cba, 3
    candidates each), with its generation cache in the environment."""
    root = copy_experiment(small_experiment, tmp_path_factory.mktemp("ensemble"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOGETS_CACHE_DIR", str(root.parent / "llm-cache"))  # regenerated candidates
        yield root


def ensemble(results: Path, *args: str) -> tuple[pd.DataFrame, dict]:
    outcome = CliRunner().invoke(cli, ["ensemble", str(results), "--quiet", *args])
    assert outcome.exit_code == 0, outcome.output + repr(outcome.exception)
    assert "Final model vs M0" in outcome.output
    name = args[args.index("--requirement") + 1]
    if name == "r3":
        name += "-" + args[args.index("--target-class") + 1]
    out = results / "ensemble" / name
    return pd.read_csv(out / "steps.csv"), json.loads((out / "result.json").read_text())


def test_knowledge_base_files(results):
    outcome = CliRunner().invoke(cli, ["ensemble", str(results), "--knowledge-only"])
    assert outcome.exit_code == 0, outcome.output
    kb = results / "knowledge_base"
    lookup = pd.read_csv(kb / "lookup.csv")
    assert set(lookup["target_class"]) == {"Security", "Purchase"}
    assert set(lookup["metric"]) == {"cr", "cba", "oba", "of1", "auc"}  # the models give decision scores
    summary = pd.read_csv(results / "summary.csv")
    # the lookup's best CBA is at least every search's best CBA (same trials, same validation)
    for cls, group in summary.groupby("target_class"):
        best = lookup.query("target_class == @cls and metric == 'cba'")["best_val"].iloc[0]
        assert best >= group["best_val"].max() - 1e-12
    interaction = pd.read_csv(kb / "interaction.csv")
    assert interaction.columns[0] == "applied_class" and len(interaction.columns) == 1 + 7


def test_r3_with_comparisons(results):
    steps, result = ensemble(
        results, "--requirement", "r3", "--target-class", "Security", "--random-runs", "2"
    )
    m0 = json.loads((results / "m0.json").read_text())
    classes = list(pd.read_csv(results / "knowledge_base" / "classes.csv")["class"])
    assert list(steps.columns) == step_columns(classes)
    methods = steps["method"].unique().tolist()
    assert methods[0] == "ensemble" and {
        "single:hsw-cba",
        "single:random-cba",
        "random:0",
        "random:1",
    } <= set(methods)
    first = steps[steps["iteration"] == 0]
    assert len(first) == len(methods)
    assert first["val_cba[Security]"].iloc[0] == pytest.approx(m0["val"]["cba[Security]"])
    for _, run in steps.groupby("method"):
        accepted = run[run["accepted"]]
        assert accepted["val_cba[Security]"].is_monotonic_increasing
        assert run["accepted"].iloc[:-1].all()  # only the last row may be a rejected step
    assert result["requirement"] == "r3" and result["parameters"]["important"] == "Security"
    assert result["val"]["cba[Security]"]["delta"] >= 0 and result["termination"]["code"]
    assert len(result["comparisons"]) == len(methods) - 1


@pytest.mark.parametrize(
    "requirement, args, key",
    [
        ("r2", [], "val_oba"),
        ("r1", ["--threshold", "1.0"], None),
    ],
)
def test_r1_and_r2(results, requirement, args, key):
    steps, result = ensemble(results, "--requirement", requirement, "--no-compare", *args)
    assert set(steps["method"]) == {"ensemble"}
    accepted = steps[steps["accepted"]]
    if key:
        assert accepted[key].is_monotonic_increasing
    else:  # R1: each accepted step lifts its own class
        for i in range(1, len(accepted)):
            row, previous = accepted.iloc[i], accepted.iloc[i - 1]
            column = f"val_cba[{row['applied_class']}]"
            assert row[column] > previous[column]
    assert result["comparisons"] == [] and result["termination"]["code"]
    assert (accepted["n_synthetic"].diff().dropna() > 0).all()
