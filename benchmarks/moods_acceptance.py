"""MOODS acceptance rules and warm starts: chosen on development splits, then measured on test.

    python benchmarks/moods_acceptance.py dev  --dataset ecoli,yeast,winequality --runs 5
    python benchmarks/moods_acceptance.py test --dataset ecoli,yeast,winequality --runs 5
    python benchmarks/moods_acceptance.py report

Phase ``dev`` never sees a test row: for run r it takes the train+val part of the benchmark's
split r (seed r, the split ``autogets moods`` uses) and splits that part again (seed 1000 + r)
into train / validation / development; every variant runs Alg. 1 on it and is scored on the
development rows. The rule that picks the default from these numbers was fixed before any ran:
the variant with the highest mean development F1 over every dataset and run; a warm-started
variant is preferred to its cold twin when its mean is at most 0.01 lower (it costs less).
K-fold validation (``-cv3``, added later) was judged by a rule fixed before its cold runs: it
replaces the holdout default only if its mean development F1 is at most 0.005 below the holdout
default's, measured in the same session (it costs 3 fits a step, and in exchange decides on every
train+val row and reports validation F1s that hold on held-out rows).
Growing M_k by doubling (``-doubling``, added later) and accepting ties were judged by a rule fixed
before their runs and before runs 5-9 of any variant: over the development splits every compared
variant finished (3 sets x runs 0-9 planned, run by run), paired by split, a variant replaces
``pareto`` only if its mean development F1 difference to ``pareto`` exceeds one standard error of
those paired differences; of several, the largest mean (``ties`` was dropped after 6 splits, to fit
the session's time, and is no candidate).
Phase ``test`` runs the variants and the no-search baselines (none, SMOTE, SVM-SMOTE, MUBO) on
the benchmark splits themselves and scores them on test, for reporting only.

Jobs run two at a time (one CPU each); each finished job is a JSON file under
``results/moods_acceptance/<phase>/`` (git-ignored), so a rerun skips what is done.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "moods_acceptance"

#: The MOODS variants compared; "paper" is Alg. 1 as printed, "pareto" the rule before this study.
VARIANTS = {
    "paper": dict(acceptance="f1-both", steps_per_round=1, warm_start=False),
    "pareto": dict(acceptance="f1-pareto-loss", steps_per_round=2, warm_start=False),
    "pareto-warm": dict(acceptance="f1-pareto-loss", steps_per_round=2, warm_start=True),
    "loss-se": dict(acceptance="loss-se", steps_per_round=2, warm_start=False),
    "loss-se-warm": dict(acceptance="loss-se", steps_per_round=2, warm_start=True),
    "ties": dict(acceptance="f1-both-or-equal", steps_per_round=2, warm_start=False),
    # k-fold validation (added 2026-12-03): every train+val row scored out of fold, 3 fits a step
    "pareto-cv3": dict(acceptance="f1-pareto-loss", steps_per_round=2, warm_start=False, folds=3),
    "pareto-cv3-warm": dict(acceptance="f1-pareto-loss", steps_per_round=2, warm_start=True, folds=3),
    "loss-se-cv3-warm": dict(acceptance="loss-se", steps_per_round=2, warm_start=True, folds=3),
    # M_k doubles on an accepted step, halves on a rejected round (added 2026-12-03, beyond the paper)
    "pareto-doubling": dict(acceptance="f1-pareto-loss", steps_per_round=2, majority_growth="doubling"),
    "ties-doubling": dict(acceptance="f1-both-or-equal", steps_per_round=2, majority_growth="doubling"),
}
BASELINES = ("none", "smote", "svm-smote", "mubo")
#: The baselines again under 3-fold validation: trained on every train+val row, as MOODS then is.
CV_BASELINES = ("none-cv3", "smote-cv3", "svm-smote-cv3")
#: The budget of benchmarks/reproduce_moods.py: 30 rounds of K steps, patience 10 rounds.
ROUNDS, PATIENCE, MAX_UPDATES = 30, 10, 3000


def _splits(dataset: str, run: int, phase: str, folds: int = 0):
    from sklearn.model_selection import train_test_split

    from autogets_ray.data.tabular import TabularData, load_tabular
    from autogets_ray.moods.split import split_tabular

    data = load_tabular(dataset)
    if phase == "test":
        return split_tabular(data, seed=run, folds=folds)
    # the rows split_tabular(data, seed=run) trains and validates on, split again: no test row
    rest, _ = train_test_split(np.arange(len(data.y)), test_size=0.2, stratify=data.y, random_state=run)
    inner = TabularData(data.name, data.X[rest], data.y[rest], data.feature_names, data.minority)
    return split_tabular(inner, seed=1000 + run, folds=folds)


def _job(phase: str, dataset: str, run: int, method: str) -> dict:
    from autogets_ray.moods.baselines import BASELINES as FITS
    from autogets_ray.moods.baselines import outcome_result
    from autogets_ray.moods.core import MoodsSettings
    from autogets_ray.moods.local import run_moods_local
    from autogets_ray.moods.mlp import MLPConfig

    base, _, cv = method.partition("-cv")
    folds = int(VARIANTS[method].get("folds", 0)) if method in VARIANTS else int(cv or 0)
    split = _splits(dataset, run, phase, folds)
    mlp = MLPConfig(max_updates=MAX_UPDATES)
    start = time.perf_counter()
    row: dict = {"phase": phase, "dataset": dataset, "run": run, "method": method}
    if method in VARIANTS:
        v = {k: value for k, value in VARIANTS[method].items() if k != "folds"}
        settings = MoodsSettings(max_candidates=ROUNDS * v["steps_per_round"], patience=PATIENCE, **v)
        outcome = run_moods_local(split, settings, mlp, seed=run)
        result = outcome_result(split, outcome, time.perf_counter() - start)
        row.update(
            accepted=sum(h.accepted for h in outcome.history) - 1,
            evaluations=len(outcome.history),
            stop=outcome.stop_reason,
        )
    else:
        pattern = MoodsSettings(max_candidates=ROUNDS * 2, patience=PATIENCE)
        result = FITS.create(base, split, mlp, run, pattern)
    row.update(
        score_f1=result.test.f1,
        score_f1_minority=result.test.f1_minority,
        val_f1=result.val.f1,
        train_rows=int(result.extra.get("train_rows", 0)),
        seconds=time.perf_counter() - start,
    )
    return row


def _path(phase: str, dataset: str, run: int, method: str) -> Path:
    return OUT / phase / f"{dataset}_{method}_run{run}.json"


def _run_job(args: tuple[str, str, int, str]) -> str:
    path = _path(*args)
    row = _job(*args)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(row, default=float))
    tmp.replace(path)
    return f"{args}: {row['score_f1']:.3f} in {row['seconds']:.0f} s"


def cmd_phase(args: argparse.Namespace) -> None:
    methods = (
        args.methods.split(",")
        if args.methods
        else list(VARIANTS) + (list(BASELINES) if args.phase == "test" else [])
    )
    jobs = [
        (args.phase, d, r, m)
        for r in range(args.runs)
        for d in args.dataset.split(",")
        for m in methods
        if not _path(args.phase, d, r, m).exists()
    ]
    print(f"{len(jobs)} job(s) to run, {args.workers} at a time", flush=True)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for line in pool.map(_run_job, jobs):
            print(line, flush=True)


def _frame(phase: str) -> pd.DataFrame:
    rows = [json.loads(p.read_text()) for p in sorted((OUT / phase).glob("*.json"))]
    return pd.DataFrame(rows)


def _cell(values: pd.Series) -> str:
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{values.mean():.3f} ± {sd:.3f}"


def table(phase: str) -> str:
    frame = _frame(phase)
    if frame.empty:
        return f"(no {phase} results)"
    order = [m for m in (*VARIANTS, *BASELINES, *CV_BASELINES) if m in set(frame["method"])]
    score = "dev F1" if phase == "dev" else "test F1"
    lines = [
        f"| dataset | method | runs | {score} | val F1 | val - {score.split()[0]} | accepted steps "
        "| training rows | s/run |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for dataset, group in frame.groupby("dataset", sort=False):
        for method in order:
            rows = group[group["method"] == method]
            if rows.empty:
                continue
            accepted = (
                f"{rows['accepted'].mean():.1f}"
                if "accepted" in rows and rows["accepted"].notna().any()
                else "-"
            )
            gap = (rows["val_f1"] - rows["score_f1"]).mean()
            lines.append(
                f"| {dataset} | {method} | {len(rows)} | {_cell(rows['score_f1'])} | "
                f"{rows['val_f1'].mean():.3f} | {gap:+.3f} | {accepted} | {rows['train_rows'].mean():.0f} | "
                f"{rows['seconds'].mean():.0f} |"
            )
    means = frame.groupby("method")["score_f1"].mean().reindex(order)
    lines.append("")
    lines.append(
        f"Mean {score} over every dataset and run: " + ", ".join(f"{m} {v:.3f}" for m, v in means.items())
    )
    return "\n".join(lines)


def paired(phase: str, reference: str = "pareto") -> str:
    """Every method against ``reference`` on the splits both ran: mean F1 difference ± its SE."""
    frame = _frame(phase)
    if frame.empty or reference not in set(frame["method"]):
        return ""
    wide = frame.pivot_table(index=["dataset", "run"], columns="method", values="score_f1")
    lines = [f"Paired by split, F1 minus {reference}'s (mean ± standard error, splits):"]
    for method in [m for m in (*VARIANTS, *BASELINES, *CV_BASELINES) if m in wide and m != reference]:
        diff = (wide[method] - wide[reference]).dropna()
        if len(diff) > 1:
            se = diff.std(ddof=1) / np.sqrt(len(diff))
            lines.append(f"- {method}: {diff.mean():+.4f} ± {se:.4f} ({len(diff)})")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> None:
    print("### Development splits (no test row)\n")
    print(table("dev"))
    print()
    print(paired("dev"))
    print("\n### Test (reported only)\n")
    print(table("test"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for phase in ("dev", "test"):
        p = sub.add_parser(phase)
        p.add_argument("--dataset", default="ecoli,yeast,winequality")
        p.add_argument("--runs", type=int, default=5)
        p.add_argument(
            "--methods", default="", help="comma-separated; default: every variant (+ baselines on test)"
        )
        p.add_argument("--workers", type=int, default=2)
        p.set_defaults(func=cmd_phase, phase=phase)
    report = sub.add_parser("report")
    report.set_defaults(func=cmd_report)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
