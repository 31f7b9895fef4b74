"""Reproduce MOODS paper Table 2 (test F1) and Table 4 (ε/δ), plus wall-clock per run.

    python benchmarks/reproduce_moods.py run --dataset ecoli --runs 5 [--engine local|ray]
    python benchmarks/reproduce_moods.py k-study --dataset ecoli --runs 5 --k 1,2 [--schedule alone|shared]
    python benchmarks/reproduce_moods.py report          # tables from whatever has finished

Raw outputs go to ``results/moods_bench/<dataset>/`` (git-ignored; rerunning resumes); ``report``
prints markdown tables with the paper's numbers beside ours and copies the run-0 z histograms to
``benchmarks/moods_z_<dataset>.png``. ``run`` writes ``<dataset>/`` for the default acceptance rule
and ``<dataset>_<rule>/`` for another; ``k-study`` writes ``k-study/<rule>/<dataset>_k<K>[_shared]/``.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.data.tabular import load_tabular
from autogets_ray.moods.core import MoodsSettings
from autogets_ray.moods.experiment import ExperimentSpec, run_moods_experiment, with_steps
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "moods_bench"
FIGURES = ROOT / "benchmarks"
DATASETS = ("ecoli", "yeast", "winequality", "abalone", "spambase", "shuttle")

#: Paper Table 2 (test F1): w/o, S-SMO, MUBO, MOODS (SMOTE only appears in Table 3's F1_m / F1_M).
PAPER_F1 = {
    "ecoli": {"none": 0.49, "svm-smote": 0.77, "mubo": 0.73, "moods": 0.92},
    "yeast": {"none": 0.47, "svm-smote": 0.83, "mubo": 0.81, "moods": 0.92},
    "winequality": {"none": 0.49, "svm-smote": 0.58, "mubo": 0.54, "moods": 0.62},
    "abalone": {"none": 0.84, "svm-smote": 0.82, "mubo": 0.86, "moods": 0.87},
    "spambase": {"none": 0.92, "svm-smote": 0.91, "mubo": 0.92, "moods": 0.92},
    "shuttle": {"none": 0.50, "svm-smote": 0.50, "mubo": 0.60, "moods": 0.89},
}
#: Paper Table 4: |S_m|/|S|, Δκ_m = κ(D) - κ(S), ΔO(s_m^2), ΔO(s_M^2), ΔO(s^2).
PAPER_EPS = {
    "ecoli": (0.48, 100, 0, 2.52, 1.59, 2.1),
    "yeast": (0.5, 100, 5, 2.39, 2.89, 2.6),
    "winequality": (0.5, 100, 0, 3.24, 3.02, 3.1),
    "abalone": (0.5, 34, 8, 2.05, 1.95, 2.0),
    "spambase": (0.5, 13, 3, 0.67, 1.43, 1.1),
    "shuttle": (0.46, 100, 0, 2.04, 1.26, 1.7),
}
METHOD_ORDER = ("none", "smote", "svm-smote", "mubo", "moods")

#: Benchmark budget (documented in RESULTS.md): sized for a shared 2-core CPU. 30 rounds of K
#: steps (MoodsSettings defaults: K = 2, f1-pareto-loss), stop after 10 rejected rounds in a row;
#: MUBO gets the same 30 rounds at K = 1 (baselines.mubo_settings).
BENCH_ROUNDS = 30
BENCH_SETTINGS = MoodsSettings(max_candidates=BENCH_ROUNDS * MoodsSettings.steps_per_round, patience=10)
BENCH_MLP = MLPConfig(max_updates=3000)


def cmd_run(args: argparse.Namespace) -> None:
    k = args.steps_per_round
    settings = replace(
        BENCH_SETTINGS, acceptance=args.acceptance, steps_per_round=k, max_candidates=BENCH_ROUNDS * k
    )
    spec = ExperimentSpec(
        runs=args.runs,
        engine=args.engine,
        settings=settings,
        mlp=BENCH_MLP,
        methods=tuple(args.methods.split(",")),
    )
    default = (args.acceptance, k) == (BENCH_SETTINGS.acceptance, BENCH_SETTINGS.steps_per_round)
    suffix = ("" if default else f"_{args.acceptance}_k{k}") + (f"_{args.label}" if args.label else "")
    only = tuple(int(r) for r in args.only_runs.split(",")) if args.only_runs else None
    for name in args.dataset.split(","):
        run_moods_experiment(
            load_tabular(name),
            OUT / f"{name}{suffix}",
            spec,
            progress=Progress(prefix=f"bench {name}{suffix}"),
            only_runs=only,
        )


def cmd_k_study(args: argparse.Namespace) -> None:
    """K steps per round on the Ray engine; ``alone``: one run at a time (its own Tuner), so a
    run's wall-clock is what K buys; ``shared``: all runs on one Tuner, the experiment's wall-clock."""
    base = ExperimentSpec(
        runs=args.runs, engine="ray", settings=BENCH_SETTINGS, mlp=BENCH_MLP, methods=("moods",), plot=False
    )
    data = load_tabular(args.dataset)
    for k in (int(v) for v in args.k.split(",")):
        spec = with_steps(base, k)
        spec = replace(
            spec, settings=replace(spec.settings, max_candidates=BENCH_ROUNDS * k, acceptance=args.acceptance)
        )
        suffix = "" if args.schedule == "alone" else "_shared"
        out = OUT / "k-study" / args.acceptance / f"{args.dataset}_k{k}{suffix}"
        groups = [(r,) for r in range(args.runs)] if args.schedule == "alone" else [None]
        for only in groups:
            run_moods_experiment(data, out, spec, progress=Progress(prefix=f"k={k}"), only_runs=only)


def _fmt(values: pd.Series) -> str:
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{values.mean():.3f} ± {sd:.3f}"


def _header(first_row: str) -> list[str]:
    """A markdown table's header row and its separator."""
    return [first_row, "|" + " --- |" * (first_row.replace("\\|", "").count("|") - 1)]


def _frames(filename: str):
    """(dataset, table) for every dataset whose benchmark directory holds ``filename``."""
    for name in DATASETS:
        path = OUT / name / filename
        if path.exists() and path.stat().st_size > 5:
            yield name, pd.read_csv(path)


def table2() -> str:
    lines = _header(
        "| dataset | runs | "
        + " | ".join(f"{m} (paper)" for m in METHOD_ORDER)
        + " | s/run MOODS | s/run others |"
    )
    for name, res in _frames("results.csv"):
        cells = []
        for m in METHOD_ORDER:
            sub = res[res["method"] == m]["f1"]
            paper = PAPER_F1[name].get(m)
            cells.append(
                (_fmt(sub) if len(sub) else "-") + (f" ({paper:.2f})" if paper is not None else " (-)")
            )
        runs = res.groupby("method").size().min()
        moods_s = res[res["method"] == "moods"]["seconds"].mean()
        other_s = res[res["method"] != "moods"].groupby("method")["seconds"].mean().round(1)
        lines.append(
            f"| {name} | {runs} | "
            + " | ".join(cells)
            + f" | {moods_s:.0f} | "
            + ", ".join(f"{k} {v:g}" for k, v in other_s.items())
            + " |"
        )
    return "\n".join(lines)


def table3() -> str:
    lines = _header("| dataset | " + " | ".join(f"{m} F1_m / F1_M" for m in METHOD_ORDER) + " |")
    for name, res in _frames("results.csv"):
        res = res.groupby("method")[["f1_minority", "f1_majority"]].mean()
        cells = [
            f"{res.loc[m, 'f1_minority']:.2f} / {res.loc[m, 'f1_majority']:.2f}" if m in res.index else "-"
            for m in METHOD_ORDER
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table4() -> str:
    lines = _header(
        "| dataset | runs | \\|S_m\\|/\\|S\\| ours (paper) | κ_m(D) → κ_m(S) ours (paper) | Δκ_m ours (paper) "
        "| ΔO(s_m²) ours (paper) | ΔO(s_M²) ours (paper) | ΔO(s²) ours (paper) |"
    )
    for name, eps in _frames("eps_delta.csv"):
        p = PAPER_EPS[name]
        m = eps.mean(numeric_only=True)
        lines.append(
            f"| {name} | {len(eps)} | {m.ratio_minority:.2f} ({p[0]}) | {m.kappa_m_original:.0f} → "
            f"{m.kappa_m_resampled:.0f} ({p[1]} → {p[2]}) | {m.delta_kappa_m:.0f} ({p[1] - p[2]}) | "
            f"{m.delta_O_m:.2f} ({p[3]}) | {m.delta_O_M:.2f} ({p[4]}) | {m.delta_O:.2f} ({p[5]}) |"
        )
    return "\n".join(lines)


def acceptance_table() -> str:
    lines = _header(
        "| dataset | acceptance | K | runs | MOODS test F1 | F1_m / F1_M | \\|S\\| at the end | trials | s/run |"
    )
    for name in DATASETS:
        for path in [OUT / name / "results.csv", *sorted(OUT.glob(f"{name}_f1-*/results.csv"))]:
            if not path.exists():
                continue
            res = pd.read_csv(path)
            res = res[res["method"] == "moods"]
            if res.empty:
                continue
            rule = path.parent.name[len(name) + 1 :].rsplit("_k", 1)[0] or BENCH_SETTINGS.acceptance
            lines.append(
                f"| {name} | {rule} | {res['steps_per_round'].iloc[0]} | {len(res)} | {_fmt(res['f1'])} | "
                f"{res['f1_minority'].mean():.2f} / {res['f1_majority'].mean():.2f} | "
                f"{res['train_rows'].mean():.0f} | {res['evaluations'].mean():.1f} | {res['seconds'].mean():.0f} |"
            )
    return "\n".join(lines)


def k_table() -> str:
    lines = _header(
        "| dataset | acceptance | K | runs at once | runs | test F1 | val F1 / val F1_m at the end | "
        "rounds | trials | s/run | s/round | all runs, min |"
    )
    for path in sorted(OUT.glob("k-study/*/*_k*/results.csv")):
        name, k = path.parent.name.rsplit("_k", 1)
        k, _, shared = k.partition("_")
        rule = path.parent.parent.name
        res = pd.read_csv(path)
        hist = pd.read_csv(path.parent / "moods_history.csv")
        rounds = hist.groupby("run")["round"].max().mean() + 1
        trials = hist.groupby("run").size().mean()
        s = res["seconds"].mean()
        at_once = len(res) if shared else 1
        lines.append(
            f"| {name} | {rule} | {k} | {at_once} | {len(res)} | {_fmt(res['f1'])} | {res['val_f1'].mean():.3f} / "
            f"{res['val_f1_minority'].mean():.3f} | {rounds:.1f} | {trials:.1f} | {s:.0f} | {s / rounds:.1f} | "
            f"{res['seconds'].sum() / 60:.1f} |"
        )
    return "\n".join(lines)


def engine_table() -> str:
    """MOODS and MUBO on the Ray engine (every run of a dataset on one Tuner, ``run --label ray
    --methods moods,mubo``) vs the local engine (one run after another in one process): the
    ``--label local`` run of the same day where there is one (then the wall-clocks compare), else
    the main Table 2 run (F1 only: it ran on a loaded machine). Wall-clock: the sum of the rows'
    seconds (on Ray each row holds its share of the shared Tuner's wall-clock)."""
    lines = _header(
        "| dataset | runs | local run | MOODS: same F1 in every run | MUBO: same F1 in every run | "
        "local, min | Ray (one Tuner), min | local / Ray | fit s per run on Ray: MOODS / MUBO |"
    )
    for name in DATASETS:
        ray_path = OUT / f"{name}_ray" / "results.csv"
        same_day = OUT / f"{name}_local" / "results.csv"
        local_path = same_day if same_day.exists() else OUT / name / "results.csv"
        if not (ray_path.exists() and local_path.exists()):
            continue
        local, ray = (pd.read_csv(path).set_index(["method", "run"]) for path in (local_path, ray_path))
        both = local[["f1", "seconds"]].merge(
            ray[["f1", "seconds"]], left_index=True, right_index=True, suffixes=("_local", "_ray")
        )
        same = {
            m: "yes" if (both.loc[m, "f1_local"] == both.loc[m, "f1_ray"]).all() else "NO"
            for m in ("moods", "mubo")
            if m in both.index.get_level_values(0)
        }
        runs = both.index.get_level_values(1).nunique()
        t_ray = both["seconds_ray"].sum() / 60
        if same_day.exists():
            t_local = both["seconds_local"].sum() / 60
            timing = f"{t_local:.1f} | {t_ray:.1f} | {t_local / t_ray:.2f}"
        else:
            timing = f"- | {t_ray:.1f} | -"
        fits = ray.groupby(level="method")["compute_seconds"].mean()
        fit_cells = " / ".join(f"{fits.get(m, float('nan')):.0f}" for m in ("moods", "mubo"))
        lines.append(
            f"| {name} | {runs} | {'same day' if same_day.exists() else 'Table 2'} | "
            f"{same.get('moods', '-')} | {same.get('mubo', '-')} | {timing} | {fit_cells} |"
        )
    return "\n".join(lines)


def second_draw_table() -> str:
    """What the K-th draw of a round bought in the main runs: rounds where at least one of the K
    candidates passed the acceptance rule, and how many of those no other candidate would have passed
    (replayed from ``moods_history.csv`` against the state each round started from)."""
    from autogets_ray.moods.core import ACCEPTANCE_RULES, StepResult, MoodsState
    from autogets_ray.moods.metrics import BinaryF1

    rule = ACCEPTANCE_RULES.get(BENCH_SETTINGS.acceptance)
    lines = _header(
        "| dataset | K | rounds | rounds accepted | of those, only one draw passed | rounds with every draw passing |"
    )
    for name, hist in _frames("moods_history.csv"):
        totals = [0, 0, 0, 0]
        for _, run in hist.groupby("run"):
            start = run[run["round"] == 0].iloc[0]
            state = MoodsState(
                0,
                np.empty(0),
                np.empty((0, 0)),
                val=BinaryF1(start.val_f1, start.val_f1_minority, 0.0),
                val_loss=start.val_loss,
            )
            for _, rnd in run[run["round"] > 0].groupby("round"):
                passed = [
                    rule(
                        StepResult(
                            0,
                            BinaryF1(r.val_f1, r.val_f1_minority, 0.0),
                            r.val_loss,
                            BinaryF1(0, 0, 0),
                            np.empty(0),
                            np.empty(0),
                        ),
                        state,
                    )
                    for r in rnd.itertuples()
                ]
                totals[0] += 1
                totals[1] += any(passed)
                totals[2] += sum(passed) == 1 and len(passed) > 1
                totals[3] += all(passed) and len(passed) > 1
                kept = rnd[rnd["accepted"]]
                if len(kept):
                    row = kept.iloc[0]
                    state = MoodsState(
                        0,
                        np.empty(0),
                        np.empty((0, 0)),
                        val=BinaryF1(row.val_f1, row.val_f1_minority, 0.0),
                        val_loss=row.val_loss,
                    )
        k = hist.groupby(["run", "round"]).size().max()
        lines.append(f"| {name} | {k} | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> None:
    for name in DATASETS:
        figure = OUT / name / "z_hist_run0.png"
        if figure.exists():
            shutil.copyfile(figure, FIGURES / f"moods_z_{name}.png")
    print("### Table 2: test F1, mean ± sd over seeded runs (paper in parentheses)\n")
    print(table2())
    print("\n### Table 3: test F1_m / F1_M, mean over runs\n")
    print(table3())
    print("\n### Table 4: ε/δ of the MOODS training set vs the original training split, mean over runs\n")
    print(table4())
    print("\n### MOODS acceptance rule: strict (paper) vs ties accepted\n")
    print(acceptance_table())
    print("\n### K steps per round (Ray Tune, concurrent trials)\n")
    print(k_table())
    print("\n### Engines: Ray (one Tuner for every run) vs local\n")
    print(engine_table())
    print("\n### What the second draw of a round bought (main runs, replayed from the history)\n")
    print(second_draw_table())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--dataset", default=",".join(DATASETS[:4]))
    run.add_argument("--runs", type=int, default=5)
    run.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="ray",
        help="ray: the K steps of a round run as concurrent trials; local: one after another",
    )
    run.add_argument("--methods", default=",".join(METHOD_ORDER))
    run.add_argument(
        "--acceptance",
        default=BENCH_SETTINGS.acceptance,
        help="MOODS acceptance rule; a non-default rule or K writes to <dataset>_<rule>_k<K>/",
    )
    run.add_argument("--steps-per-round", type=int, default=BENCH_SETTINGS.steps_per_round)
    run.add_argument(
        "--label", default="", help="write to <dataset>[_<rule>_k<K>]_<label>/ (e.g. an engine check)"
    )
    run.add_argument(
        "--only-runs",
        default="",
        help="comma-separated run indices, in order (another process can take the rest)",
    )
    run.set_defaults(func=cmd_run)
    k = sub.add_parser("k-study")
    k.add_argument("--dataset", default="ecoli")
    k.add_argument("--runs", type=int, default=5)
    k.add_argument("--k", default="1,2")
    k.add_argument("--acceptance", default=BENCH_SETTINGS.acceptance)
    k.add_argument(
        "--schedule",
        choices=("alone", "shared"),
        default="alone",
        help="alone: each run on its own Tuner, one after another; shared: every run on one Tuner",
    )
    k.set_defaults(func=cmd_k_study)
    report = sub.add_parser("report")
    report.set_defaults(func=cmd_report)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
