from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from autogets_ray.cli.main import cli
from autogets_ray.cli.search import command_config
from autogets_ray.experiment.config import load_config, read_saved_config, write_output_config

REPO = Path(__file__).resolve().parents[2]


def quickstart_search(
    tmp_path: Path, out: Path, *args: str, group: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """``autogets search`` on the quickstart config in a fresh process with its own cache; must succeed
    (``group``: options of ``autogets`` itself, e.g. ``-v``)."""
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autogets_ray.cli.main",
            *group,
            "search",
            "--config",
            str(REPO / "search_spaces" / "quickstart.yaml"),
            "--out",
            str(out),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.mark.slow
def test_verbose_adds_a_line_per_trial_before_its_search_is_done(tmp_path):
    small = [
        "--set",
        "max_candidates=2",
        "--set",
        "strategies=[random]",
        "--set",
        "target_classes=smallest:1",
    ]
    proc = quickstart_search(tmp_path, tmp_path / "v", *small, "--set", "baselines=[]", group=("-v",))
    lines = [line for line in proc.stderr.splitlines() if line.startswith("[autogets] Security-random-cba")]
    assert [line.split(":")[0] for line in lines] == [
        "[autogets] Security-random-cba #1",
        "[autogets] Security-random-cba #2",
        "[autogets] Security-random-cba",
    ]
    assert "| trials 2/2" in lines[1] and "finished (max_candidates): trials 2/2" in lines[2]
    assert "1/1 searches done" in lines[2]


@pytest.mark.slow
def test_search_with_the_quickstart_config_prints_the_improvement_table(tmp_path):
    out = tmp_path / "qs"
    proc = quickstart_search(tmp_path, out, "--set", "max_candidates=4", "--set", "strategies=[hsw, random]")
    assert "Improvement over M0" in proc.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 4  # 2 smallest classes x 2 strategies
    assert set(summary["target_class"]) == {"Security", "Purchase"}
    for cls in summary["target_class"]:
        assert cls in proc.stdout
    trials = pd.read_parquet(out / "trials.parquet")
    assert {"strategy", "target_class", "objective", "subset_size", "retrain_seconds"} <= set(trials.columns)
    # one display of the trials (off a terminal: a line per finished search), no line per trial
    assert "Security-hsw-cba: finished (max_candidates): trials 4/4, best " in proc.stderr
    assert "Security-hsw-cba #1" not in proc.stderr and "Token authentication" not in proc.stderr
    assert proc.stderr.index("starting Ray (local") < proc.stderr.index("loading demo-tickets")
    # the no-search baselines, on the same split, next to every search
    baselines = pd.read_csv(out / "baselines.csv")
    assert {"target_class", "baseline", "val_objective", "test_objective"} <= set(baselines.columns)
    assert set(baselines["baseline"]) == {"m0", "all-examples", "duplicate", "class-weight"}
    assert len(baselines) == 2 * 4
    rows = baselines.set_index(["target_class", "baseline"])
    m0_cba = summary.set_index("target_class")["m0_val"].groupby(level=0).first()
    for cls in ("Security", "Purchase"):
        assert rows.loc[(cls, "m0"), "val_objective"] == pytest.approx(m0_cba[cls])
        assert rows.loc[(cls, "all-examples"), "n_added"] == rows.loc[(cls, "duplicate"), "n_added"] > 0
    assert "No-search baselines" in proc.stdout
    allowed = {"keep-m0", "use-all-examples", "use-duplicate", "use-class-weight"}
    for _, row in summary.iterrows():
        assert row["recommendation"] in allowed or row["recommendation"] == row["best_candidate"]


@pytest.mark.slow
def test_kfold_objective_on_repeated_splits_reports_intervals(tmp_path):
    out = tmp_path / "splits"
    proc = quickstart_search(
        tmp_path,
        out,
        "--split-seeds",
        "0,1",
        "--set",
        "max_candidates=3",
        "--set",
        "strategies=[random]",
        "--set",
        "evaluation.scheme=kfold",
        "--set",
        "evaluation.folds=3",
        "--quiet",
    )
    splits = {seed: pd.read_parquet(out / f"split-{seed}" / "split.parquet") for seed in (0, 1)}
    tests = {seed: set(frame.loc[frame["part"] == "test", "row_id"]) for seed, frame in splits.items()}
    assert tests[0] != tests[1]  # two different splits
    for seed in (0, 1):
        trials = pd.read_parquet(out / f"split-{seed}" / "trials.parquet")
        assert (trials["fits"] == 4).all()  # 3 folds + the model reported on test
        assert trials["val_objective_folds"].map(lambda v: len(eval(v))).eq(3).all()
    table = pd.read_csv(out / "split_summary.csv")
    assert set(table["method"]) == {"random", "random+decision", "all-examples", "duplicate", "class-weight"}
    assert (table["splits"] == 2).all()
    both = table.dropna(subset=["delta_cba_test_low"])
    assert len(both) == len(table)
    assert (both["delta_cba_test_low"] <= both["delta_cba_test_mean"]).all()
    decisions = table[table["kind"] == "decision"]
    assert (decisions[["chose_m0", "chose_baseline", "chose_search"]].sum(axis=1) == 2).all()
    assert "Test change over M0 across splits" in proc.stdout
    # one report for all splits: the intervals table and their plot
    report = CliRunner().invoke(cli, ["report", str(out), "--format", "md"])
    assert report.exit_code == 0, report.output
    page = (out / "report.md").read_text()
    assert "Test change over M0 across splits" in page and "split-0, split-1" in page
    assert (out / "figures" / "split_intervals.png").read_bytes()[:4] == b"\x89PNG"
    # and each split's own report has the search-vs-no-search table
    assert CliRunner().invoke(cli, ["report", str(out / "split-0"), "--format", "md"]).exit_code == 0
    assert "does the search pay?" in (out / "split-0" / "report.md").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "strategies=[zigzag]"], "unknown strategy 'zigzag'"),
        (["--config", "nope.yaml"], "nope.yaml does not exist"),
        (["--set", "budget_seconds"], "is not KEY=VALUE"),
        (["--resume"], "holds no experiment to resume"),
        (["--set", "budget_seconds=abc"], "budget_seconds: 'abc' is not a number"),
        (["--set", "max_concurrent_trials=two"], "max_concurrent_trials: 'two' is not an integer"),
        (["--set", "resources.cpu=abc"], "resources.cpu: 'abc' is not a number"),
        (["--set", "strategies=[sw"], "--set strategies: '[sw' is not a valid value"),
        (["--set", "seed=x"], "seed: 'x' is not an integer (an integer in [0, 2**32))"),
        (["--set", "colour=red"], "colour: unknown key (valid keys: dataset, target_classes,"),
        (["--set", "llm.backend=gpt"], "llm.backend: 'gpt' is not an LLM backend; choose one of:"),
        (["--set", "strategies=[sw, sw]"], "strategies: 'sw' listed more than once"),
        (["--split-seeds", "0,x"], "split_seeds[1]: 'x' is not an integer"),
    ],
)
def test_bad_search_input_is_a_clear_error(tmp_path, args, message):
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["search", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert not out.exists()  # nothing is written before the config is accepted


@pytest.mark.parametrize("command", ["search", "matrix"])
def test_a_wrong_value_in_a_config_file_names_the_file_and_key(tmp_path, command):
    path = tmp_path / "bad.yaml"
    path.write_text('budget_seconds: "abc"\nstrategies: [sw]\n')
    result = CliRunner().invoke(cli, [command, "--config", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: config {path}: budget_seconds: 'abc' is not a number "
        f"(a positive number of seconds, may be .inf)"
    )
    assert not (tmp_path / "o").exists()


def test_a_single_strategy_reads_as_a_one_element_list():
    assert command_config(None, ("strategies=sw",), "unused", resume=False).strategies == ["sw"]


def test_a_different_config_in_an_existing_output_is_refused_before_anything_runs(tmp_path):
    out = tmp_path / "out"
    write_output_config(load_config(), out)
    before = (out / "config.yaml").read_text()
    result = CliRunner().invoke(cli, ["search", "--out", str(out), "--set", "seed=3"])
    assert result.exit_code == 2 and "another configuration; continue it with --resume" in result.output
    result = CliRunner().invoke(cli, ["search", "--out", str(out), "--resume", "--set", "seed=3"])
    assert result.exit_code == 2 and "holds a different configuration" in result.output
    assert (out / "config.yaml").read_text() == before and sorted(p.name for p in out.iterdir()) == [
        "config.yaml"
    ]


@pytest.mark.slow
def test_a_refused_run_leaves_out_reusable(tmp_path):
    """A config error or a resource request the cluster cannot grant writes nothing to --out, so the
    corrected command runs there (instead of meeting "another configuration")."""
    out = tmp_path / "o"
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("RAY_ADDRESS", None)
    small = [
        "--set",
        "max_candidates=2",
        "--set",
        "strategies=random",
        "--set",
        "target_classes=smallest:1",
        "--set",
        "baselines=[]",
        "--quiet",
    ]

    def search(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "autogets_ray.cli.main", "search", "--out", str(out), *small, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    bad = search("--set", "budget_seconds=abc")
    assert bad.returncode == 2 and "budget_seconds: 'abc' is not a number" in bad.stderr
    assert not out.exists()
    # an error found after --out was created (the data file is read by the run) leaves no empty --out
    missing = search("--set", f"dataset.name={tmp_path / 'missing.csv'}")
    assert missing.returncode == 2 and "missing.csv does not exist" in missing.stderr, missing.stderr[-2000:]
    assert not out.exists()
    greedy = search("--set", "resources.cpu=512")
    assert greedy.returncode == 2 and "each trial asks for 512 CPU" in greedy.stderr, greedy.stderr[-2000:]
    assert not (out / "config.yaml").exists()
    good = search()
    assert good.returncode == 0, good.stderr[-3000:]
    assert read_saved_config(out) == load_config(overrides=[a for a in small if "=" in a])
    # the end of the run: the backend, the columns' legend, then the next commands
    last = good.stdout.splitlines()[-15:]
    assert any("ngram backend" in line and "not a language model" in line for line in last), last
    assert any(line.startswith("columns: dOBA/dCBA = change over M0") for line in last), last
    assert f"  autogets report {out}    (the paper-style report: tables and figures)" in last
    assert any(line.startswith(f"  autogets export {out} --out MODEL_DIR") for line in last), last


def test_the_improvement_table_is_in_percentage_points():
    from autogets_ray.cli.search import improvement_table

    summary = pd.DataFrame(
        {
            "target_class": ["Security"],
            "strategy": ["sw"],
            "objective": ["cba"],
            "trials": [3],
            "m0_cba": [0.6667],
            "delta_oba_val": [0.0012],
            "delta_cba_val": [0.0833],
            "delta_oba_test": [-0.0019],
            "delta_cba_test": [0.0],
            "best_subset_size": [7],
            "recommendation": ["keep-m0"],
        }
    )
    row = improvement_table(summary).splitlines()[-1].split()
    assert row == ["Security", "sw", "cba", "3", "66.67", "+0.12", "+8.33", "-0.19", "+0.00", "7", "keep-m0"]
