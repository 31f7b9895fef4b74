"""``autogets moods``: the files the acceptance checks read, and clean errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, ["moods", *args], catch_exceptions=False)


def test_writes_results_and_eps_delta(tmp_path):
    out = tmp_path / "out"
    result = run(
        "--dataset",
        "ecoli",
        "--runs",
        "2",
        "--engine",
        "local",
        "--max-candidates",
        "3",
        "--max-updates",
        "100",
        "--no-plot",
        "--quiet",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    res = pd.read_csv(out / "results.csv")
    assert {"method", "run", "f1", "f1_minority", "f1_majority", "seconds"} <= set(res.columns)
    assert sorted(res["method"].unique()) == ["moods", "mubo", "none", "smote", "svm-smote"]
    assert len(res) == 5 * 2 and sorted(res["run"].unique()) == [0, 1]
    assert res["f1"].between(0, 1).all() and (res["seconds"] > 0).all()
    eps = pd.read_csv(out / "eps_delta.csv")
    assert list(eps["run"]) == [0, 1]
    assert {"delta_kappa_m", "delta_O_m", "delta_O_M", "delta_O", "ratio_minority"} <= set(eps.columns)
    again = run(
        "--dataset",
        "ecoli",
        "--runs",
        "2",
        "--engine",
        "local",
        "--max-candidates",
        "3",
        "--max-updates",
        "100",
        "--no-plot",
        "--quiet",
        "--out",
        str(out),
    )
    assert again.exit_code == 0
    assert pd.read_csv(out / "results.csv").equals(res)  # a rerun resumes: nothing recomputed


def test_k_fold_validation_trains_every_method_on_train_plus_val(tmp_path):
    out = tmp_path / "out"
    common = ["--dataset", "ecoli", "--runs", "1", "--engine", "local", "--max-candidates", "3"]
    common += ["--max-updates", "100", "--method", "moods,none", "--no-plot", "--quiet"]
    folded = run(*common, "--validation-folds", "3", "--out", str(out))
    assert folded.exit_code == 0, folded.output
    holdout = run(*common, "--out", str(tmp_path / "holdout"))
    assert holdout.exit_code == 0, holdout.output
    res = pd.read_csv(out / "results.csv").set_index("method")
    held = pd.read_csv(tmp_path / "holdout" / "results.csv").set_index("method")
    assert (res["validation_folds"] == 3).all() and (held["validation_folds"] == 0).all()
    assert res.loc["none", "train_rows"] > held.loc["none", "train_rows"]  # train + val rows
    assert res[["f1", "val_f1"]].notna().all().all()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--dataset", "nosuch"], "unknown tabular dataset 'nosuch'"),
        (["--dataset", "ecoli", "--method", "moods,magic"], "--method: unknown method(s) magic"),
        (["--dataset", "ecoli", "--method", ","], "--method: () is empty"),
        (["--dataset", "ecoli", "--runs", "0"], "--runs: 0 must be >= 1 (seeded runs, an integer >= 1)"),
        (["--dataset", "ecoli", "--steps-per-round", "0"], "--steps-per-round: 0 must be >= 1"),
        (["--dataset", "ecoli", "--max-updates", "0"], "--max-updates: 0 must be >= 1"),
        (["--dataset", "ecoli", "--gpus-per-trial", "-0.5"], "--gpus-per-trial: -0.5 must be >= 0"),
        (["--dataset", "ecoli", "--cpus-per-trial", "0"], "--cpus-per-trial: 0.0 must be > 0"),
        (["--dataset", "ecoli", "--seed", "-1"], "--seed: -1 must be >= 0"),
        (
            ["--dataset", "ecoli", "--validation-folds", "1"],
            "--validation-folds: 1 fold validates on nothing",
        ),
        (["--dataset", "ecoli", "--validation-folds", "-2"], "--validation-folds: -2 must be >= 0"),
    ],
)
def test_bad_input_gives_a_clear_error(tmp_path, args, message):
    out = tmp_path / "o"
    result = run(*args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output and result.output.startswith("Error: ")
    assert not out.exists()  # options and data are checked before anything is written


def test_every_wrong_option_is_reported_at_once(tmp_path):
    result = run("--dataset", "nosuch", "--runs", "0", "--patience", "0", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert [line.split(":")[1] for line in result.output.splitlines()] == [" --patience", " --runs"]


def test_option_defaults_are_the_options_model_s():
    from autogets_ray.cli.moods import moods
    from autogets_ray.moods.options import MoodsExperimentOptions, default

    shown = {p.name: p.default for p in moods.params}
    for name in MoodsExperimentOptions.model_fields:
        if name in shown:
            assert shown[name] == default(name), name
    assert shown["method"] == ",".join(default("methods"))


def test_non_binary_file_is_refused(tmp_path):
    path = tmp_path / "three.csv"
    pd.DataFrame({"a": range(60), "label": ["x"] * 30 + ["y"] * 20 + ["z"] * 10}).to_csv(path, index=False)
    result = run("--dataset", str(path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "exactly two labels" in result.output


@pytest.mark.slow
def test_ray_engine_runs_every_search_on_one_tuner_with_the_local_engines_results(tmp_path):
    """--engine ray: the MOODS and MUBO runs of both seeds are trials of one Tune experiment, and
    every method's scores equal the local engine's (same seeds, same steps)."""
    import ray

    common = [
        "--dataset",
        "ecoli",
        "--runs",
        "2",
        "--max-candidates",
        "3",
        "--max-updates",
        "100",
        "--no-plot",
        "--quiet",
    ]
    try:
        on_ray = run(*common, "--engine", "ray", "--out", str(tmp_path / "ray"))
    finally:
        ray.shutdown()
    assert on_ray.exit_code == 0, on_ray.output
    local = run(*common, "--engine", "local", "--out", str(tmp_path / "local"))
    assert local.exit_code == 0, local.output
    a, b = (pd.read_csv(tmp_path / d / "results.csv") for d in ("ray", "local"))
    scores = ["method", "run", "f1", "f1_minority", "f1_majority", "val_f1", "train_rows", "evaluations"]
    pd.testing.assert_frame_equal(a[scores], b[scores])
    assert set(a.loc[a["method"].isin(["moods", "mubo"]), "engine"]) == {"ray"}
    trials = [p.name for p in (tmp_path / "ray" / "tune" / "moods").iterdir() if "_candidate_" in p.name]
    assert {t.split("_candidate_")[0] for t in trials} == {
        "moods_run0",
        "moods_run1",
        "mubo_run0",
        "mubo_run1",
    }
    history = pd.read_csv(tmp_path / "ray" / "moods_history.csv")
    assert set(history["device"]) == {"cpu"} and len(history) == 2 * 3


def test_rerunning_into_an_out_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "out"
    common = ["--dataset", "ecoli", "--runs", "1", "--engine", "local", "--max-candidates", "2"]
    common += ["--max-updates", "50", "--method", "none", "--no-plot", "--quiet", "--out", str(out)]
    assert run(*common).exit_code == 0
    before = (out / "results.csv").read_text()
    other = run(*common, "--validation-folds", "2", "--acceptance", "loss-se")
    assert other.exit_code == 2
    assert "holds results of another MOODS experiment" in other.output
    assert (
        "--acceptance 'f1-pareto-loss' -> 'loss-se'" in other.output and "--validation-folds" in other.output
    )
    assert (out / "results.csv").read_text() == before  # nothing was mixed in or removed
    assert run(*common, "--runs", "2").exit_code == 0  # more runs of the same experiment resume


def test_doubling_majority_growth_doubles_the_rows_a_step_adds_after_each_accepted_one(tmp_path):
    out = tmp_path / "out"
    common = ["--dataset", "ecoli", "--runs", "1", "--engine", "local", "--max-candidates", "9"]
    common += ["--max-updates", "100", "--method", "moods", "--no-plot", "--quiet", "--out", str(out)]
    assert run(*common, "--majority-growth", "doubling").exit_code == 0
    history = pd.read_csv(out / "moods_history.csv")
    rounds = history[history["round"] > 0].groupby("round")
    sizes, accepted = rounds["added_majority"].first(), rounds["accepted"].any()
    assert (rounds["added_majority"].nunique() == 1).all()  # the K draws of a round are as large
    assert accepted.iloc[:-1].any()  # (halving after a rejected round: tests/moods/test_core.py)
    # 4 rounds add at most 15 x 11 majority rows, fewer than Ecoli's pool: no draw is cut short
    expected = [
        size * 2 if ok else max(1, size // 2) for size, ok in zip(sizes.iloc[:-1], accepted.iloc[:-1])
    ]
    assert list(sizes.iloc[1:]) == expected
    assert json.loads((out / "experiment.json").read_text())["settings"]["majority_growth"] == "doubling"
    other = run(*common)  # the paper's growth is another experiment
    assert other.exit_code == 2 and "--majority-growth 'doubling' -> 'paper'" in other.output


def test_an_experiment_recorded_before_a_setting_existed_resumes_at_that_setting_s_default(tmp_path):
    out = tmp_path / "out"
    common = ["--dataset", "ecoli", "--runs", "1", "--engine", "local", "--max-candidates", "2"]
    common += ["--max-updates", "50", "--method", "none", "--no-plot", "--quiet", "--out", str(out)]
    assert run(*common).exit_code == 0
    recorded = json.loads((out / "experiment.json").read_text())
    del recorded["settings"]["majority_growth"]
    (out / "experiment.json").write_text(json.dumps(recorded))
    assert run(*common, "--runs", "2").exit_code == 0
    assert len(pd.read_csv(out / "results.csv")) == 2
    other = run(*common, "--majority-growth", "doubling")
    assert other.exit_code == 2 and "--majority-growth 'paper' -> 'doubling'" in other.output
