"""``autogets ensemble``: the knowledge base and ensemble AutoGeTS (R1, R2, R3) on a finished experiment."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from autogets_ray.metric_names import parse_metric_column
from autogets_ray.metrics import OBJECTIVES
from autogets_ray.errors import UserInputError
from autogets_ray.progress import Progress
from autogets_ray.reporting.tables import format_table


def lookup_table(kb) -> str:
    """Table 3 analog: the best strategy-objective per class and metric, with its ΔVal and ΔTest."""
    cells = [
        f"{r.strategy}-{r.objective} {float(r.delta_val):+.4f}" for r in kb.lookup.itertuples(index=False)
    ]
    frame = kb.lookup.assign(best=cells)
    frame = frame.pivot(index="target_class", columns="metric", values="best").reindex(kb.searched_classes())
    frame = frame.reset_index().rename(columns={"target_class": "class"})
    return format_table(
        frame, title="Best strategy-objective per class and metric (Table 3; change on validation)"
    )


def _is_class_key(key: str) -> bool:
    """True for a per-class metric (``cba[A]``), False for an overall one (``oba``)."""
    return parse_metric_column(key).target_class is not None


def outcome_table(result: dict) -> str:
    rows = []
    for entry in [
        {
            "method": "ensemble",
            "val": result["val"],
            "test": result["test"],
            "accepted_steps": len(result["steps"]),
            "termination": result["termination"],
        },
        *result["comparisons"],
    ]:
        row = {"method": entry["method"], "steps": entry["accepted_steps"]}
        for part in ("val", "test"):
            class_values = [v["final"] for k, v in entry[part].items() if _is_class_key(k)]
            if result["requirement"] == "r1":  # every class counts: the weakest one and how many are below
                row[f"min {part}"] = min(class_values)
                row[f"below {part}"] = sum(v < result["parameters"]["threshold"] for v in class_values)
            for key, values in entry[part].items():
                if result["requirement"] != "r1" or not _is_class_key(key):
                    row[f"d{key} {part}"] = values["delta"]
        row["termination"] = (entry["termination"] or {}).get("code", "")
        rows.append(row)
    return format_table(pd.DataFrame(rows), float_digits=4, title="Final model vs M0 (accepted steps only)")


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--requirement",
    type=click.Choice(["r1", "r2", "r3"]),
    default=None,
    help="r1: lift every class above --threshold; r2: overall performance; r3: one important class",
)
@click.option("--threshold", type=float, default=0.8, show_default=True, help="R1: class metric threshold")
@click.option("--target-class", "target_class", default=None, help="R3: the important class")
@click.option(
    "--metric",
    type=click.Choice(list(OBJECTIVES)),
    default=None,
    help="decision metric [r1, r3: cba; r2: oba]",
)
@click.option(
    "--candidates",
    type=int,
    default=3,
    show_default=True,
    help="trials of the chosen search tried per step (the models M of the paper's step)",
)
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="also run every single strategy-objective and --random-runs random combinations (Fig. 7)",
)
@click.option("--random-runs", type=int, default=3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="first seed of the random runs")
@click.option(
    "--knowledge-only", is_flag=True, help="only (re)build RESULTS_DIR/knowledge_base/ and print Table 3"
)
@click.option("--quiet", is_flag=True, help="no progress lines")
def ensemble(
    results_dir: str,
    requirement: str | None,
    threshold: float,
    target_class: str | None,
    metric: str | None,
    candidates: int,
    compare: bool,
    random_runs: int,
    seed: int,
    knowledge_only: bool,
    quiet: bool,
) -> None:
    """Build the knowledge base of RESULTS_DIR (an `autogets search`/`matrix` output) and run an ensemble."""
    from autogets_ray.ensemble.knowledge import build_and_save_knowledge
    from autogets_ray.ensemble.run import run_ensemble

    if knowledge_only:
        kb = build_and_save_knowledge(results_dir)
        click.echo(lookup_table(kb))
        click.echo(f"\nknowledge base in {Path(results_dir) / 'knowledge_base'}")
        return
    if requirement is None:
        raise UserInputError("choose --requirement r1, r2 or r3 (or --knowledge-only)")
    outcome = run_ensemble(
        results_dir,
        requirement,
        threshold=threshold,
        important=target_class,
        metric=metric,
        candidates=candidates,
        compare=compare,
        random_runs=random_runs,
        seed=seed,
        progress=Progress(enabled=not quiet, prefix="autogets ensemble"),
    )
    click.echo(outcome_table(outcome.result))
    click.echo(
        f"\nensemble: {len(outcome.result['steps'])} step(s) accepted; stopped: "
        f"{outcome.result['termination']['detail']}"
    )
    click.echo(f"results in {outcome.out}: steps.csv, result.json")
