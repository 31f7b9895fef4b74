"""The kill -9 drill: SIGKILL the driver mid-experiment, rerun, and compare with an uninterrupted run.

For each experiment (quickstart search, matrix-quick, MOODS on ecoli with 2 runs): run it once
uninterrupted into ``A``; run it again into ``B`` and SIGKILL the driver once a share of its trials
is in the journal; rerun ``B``. Reported: trials finished before the kill, trials the rerun trained,
candidates trained twice (from the journal: goal 0), and whether the outputs equal ``A``'s (summary
and knowledge base / MOODS results, timing columns left out).

    python benchmarks/kill_drill.py --out /tmp/drill [--only quickstart,matrix,moods] [--kill-at 0.4]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from autogets_ray.engine.journal import JOURNAL_FILE, TrialJournal

ROOT = Path(__file__).resolve().parents[1]
TIMING = {"retrain_seconds", "seconds", "compute_seconds", "fit_seconds"}
DRILLS = {
    "quickstart": (
        ["search", "--config", "search_spaces/quickstart.yaml"],
        JOURNAL_FILE,
        ["summary.csv"],
        ["search_id"],
    ),
    "matrix": (
        ["matrix", "--config", "search_spaces/matrix-quick.yaml"],
        JOURNAL_FILE,
        [
            "summary.csv",
            "knowledge_base/lookup.csv",
            "knowledge_base/interaction.csv",
            "knowledge_base/oba_effect.csv",
        ],
        None,
    ),
    "moods": (
        ["moods", "--dataset", "ecoli", "--runs", "2", "--method", "moods", "--no-plot"],
        f"tune/{JOURNAL_FILE}",
        ["results.csv"],
        ["method", "run"],
    ),
}


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "autogets_ray.cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def run_and_kill(args: list[str], env: dict[str, str], journal: Path, at: int) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogets_ray.cli.main", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while proc.poll() is None:
        if journal.exists() and journal.read_text().count('"kind": "trial"') >= at:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        raise SystemExit(f"{' '.join(args)} ended before the kill")
    return len(TrialJournal(journal).entries("trial"))


def same(a: Path, b: Path, keys: list[str] | None) -> bool:
    left, right = pd.read_csv(a), pd.read_csv(b)
    left = left.drop(columns=[c for c in left.columns if c in TIMING])
    right = right.drop(columns=[c for c in right.columns if c in TIMING])
    if keys:
        left, right = (
            left.sort_values(keys).reset_index(drop=True),
            right.sort_values(keys).reset_index(drop=True),
        )
    return left.equals(right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", default=",".join(DRILLS))
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of the trials finished at the kill")
    opts = parser.parse_args()
    env = {**os.environ, "AUTOGETS_CACHE_DIR": str(opts.out / "cache")}
    env.pop("RAY_ADDRESS", None)
    rows = []
    for name in opts.only.split(","):
        args, journal_name, outputs, keys = DRILLS[name]
        whole, cut = opts.out / name / "A", opts.out / name / "B"
        for path in (whole, cut):
            shutil.rmtree(path, ignore_errors=True)
        whole_seconds = run([*args, "--out", str(whole)], env)
        total = len(TrialJournal(whole / journal_name).entries("trial"))
        before = run_and_kill(
            [*args, "--out", str(cut)], env, cut / journal_name, max(1, int(opts.kill_at * total))
        )
        resume = ["--resume"] if name != "moods" else []
        resume_seconds = run([*args, "--out", str(cut), *resume], env)
        journal = TrialJournal(cut / journal_name)
        trained_on_rerun = sum(e["attempt"] == journal.attempt for e in journal.entries("trial"))
        rows.append(
            {
                "experiment": name,
                "trials": total,
                "finished_before_kill": before,
                "trained_on_rerun": trained_on_rerun,
                "trained_twice": len(journal.retrained()),
                "outputs_equal": all(same(whole / f, cut / f, keys) for f in outputs),
                "uninterrupted_s": round(whole_seconds, 1),
                "rerun_s": round(resume_seconds, 1),
            }
        )
        print(rows[-1], flush=True)
    print(f"\n{platform.node()} ({os.cpu_count()} CPUs), {time.strftime('%Y-%m-%d')}")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
