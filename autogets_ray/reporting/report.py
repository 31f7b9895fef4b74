"""``autogets report``: one page (HTML or Markdown) with the paper's tables and figures.

:data:`SECTIONS` is the ordered list of section builders; each returns its blocks, or a one-line
note naming the command that produces the missing input.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from autogets_ray.errors import UserInputError
from autogets_ray.reporting import comparison_report, figures, paper_tables
from autogets_ray.reporting.ensemble_plot import fig7_ensemble, final_changes
from autogets_ray.experiment.pareto import FRONT_FILE, HYPERVOLUME_FILE, plot_pareto_fronts
from autogets_ray.reporting.example_effects import effects_tables
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import safe_name
from autogets_ray.reporting.render import (
    Block,
    Figure,
    Note,
    Section,
    Table,
    Text,
    render_html,
    render_markdown,
)
from autogets_ray.reporting.trajectories import PAPER_FIGURE, fig_trajectories, trajectory_objectives

log = logging.getLogger(__name__)

FIGURES_DIR = "figures"
#: Where each optional input comes from (quoted in the skip notes).
KNOWLEDGE_BASE_SOURCE = (
    "written by autogets matrix, or autogets ensemble RESULTS_DIR --knowledge-only (or any ensemble run)"
)
ENSEMBLE_SOURCE = "written by autogets ensemble RESULTS_DIR --requirement r1|r2|r3"
TRAJECTORY_SOURCE = "written by autogets search or autogets matrix"


@dataclass
class Context:
    results: ResultsDir
    figures_dir: Path  # where the PNGs go
    report_dir: Path  # figure links are relative to it

    def figure_path(self, name: str) -> Path:
        return self.figures_dir / name

    def figure(self, path: Path, caption: str) -> Figure:
        return Figure(path.relative_to(self.report_dir).as_posix(), caption)


def overview(ctx: Context) -> list[Block]:
    results = ctx.results
    config_path = results.optional_path("config.yaml")
    config = yaml.safe_load(config_path.read_text()) if config_path else {}
    dataset = ((config or {}).get("dataset") or {}).get("name", "unknown dataset")
    model = ((config or {}).get("model") or {}).get("name", "unknown model")
    summary = results.summary
    return [
        Text(
            f"Results directory {results.path}: dataset {dataset}, model {model}, "
            f"{len(summary)} searches ({len(results.trials)} trials) over target classes "
            f"{', '.join(sorted(map(str, set(summary['target_class']))))}; strategies "
            f"{', '.join(sorted(set(summary['strategy'])))}; objectives "
            f"{', '.join(sorted(set(summary['objective'])))}."
        ),
        Text(
            "Objectives: CR = class recall, CBA = class balanced accuracy, OBA = overall balanced "
            "accuracy, OF1 = overall (support-weighted) F1. Δ = change of the best validation trial "
            "of a search vs M0; test values are never used to select."
        ),
    ]


def table1(ctx: Context) -> list[Block]:
    frame = paper_tables.table1_m0(ctx.results)
    return [
        Table(
            paper_tables.formatted(frame),
            "M0 per class, largest first (size: whole dataset; train: training examples). "
            "In the overall row CR is accuracy, CBA is OBA and F1 is OF1.",
        )
    ]


def table2(ctx: Context) -> list[Block]:
    frame = paper_tables.table2_improvements(ctx.results)
    m0 = (
        "M0's value of the objective and its CBA on validation"
        if paper_tables.M0_OBJECTIVE in frame.columns
        else "M0's CBA on validation (the objective of every search)"
    )
    return [
        Table(
            paper_tables.formatted(frame),
            f"Per class, strategy and objective: {m0}, and the change in OBA and the class's CBA of "
            "the best validation trial.",
        )
    ]


def search_vs_no_search(ctx: Context) -> list[Block]:
    frame = comparison_report.search_vs_no_search(ctx.results)
    return [
        Table(
            paper_tables.formatted(frame),
            "Changes over M0 per class and objective. A strategy's row is its best validation trial; "
            "'+decision' is what the search recommends (its candidate only when it beats M0 and the best "
            "no-search baseline on validation by more than the noise, else a baseline or M0: a change "
            "of 0); the other rows are the no-search baselines (one fit each). Validation chose; test "
            "only reports.",
        )
    ]


def fig4(ctx: Context) -> list[Block]:
    path = figures.fig4_improvements(ctx.results, ctx.figure_path("fig4_improvements.png"))
    metrics = ", ".join(m.upper() for m in figures.fig4_metrics(ctx.results.trials))
    return [
        ctx.figure(
            path,
            f"Best Δ per class x strategy-objective for {metrics} "
            "(colour and first number: validation; in brackets: test; pp).",
        )
    ]


def fig5(ctx: Context) -> list[Block]:
    front_path = ctx.results.optional_path(FRONT_FILE)
    summary_path = ctx.results.optional_path(HYPERVOLUME_FILE)
    if front_path is not None and summary_path is not None:  # a Pareto experiment: draw its fronts
        per_search = pd.read_csv(summary_path)
        path = plot_pareto_fronts(
            ctx.results.trials, pd.read_csv(front_path), per_search, ctx.figure_path("fig5_pareto.png")
        )
        shown = per_search[
            ["target_class", "objectives", "trials", "front_size", "hypervolume_val", "hypervolume_test"]
        ]
        return [
            ctx.figure(
                path,
                "Each Pareto search's trials (grey) and validation front (in its strategy's colour) on its first two "
                "objectives, on validation and, for the same points, on test; star: M0; ring: the "
                "recommended point (the largest first objective that keeps the others at or above M0).",
            ),
            Table(shown, "Front size and hypervolume over M0's point, on validation and on test."),
        ]
    path = figures.fig5_pareto(ctx.results, ctx.figure_path("fig5_pareto.png"))
    return [ctx.figure(path, figures.fig5_caption(figures.fig5_classes(ctx.results)))]


def table3(ctx: Context) -> list[Block]:
    lookup = ctx.results.knowledge_base_csv("lookup.csv")
    if lookup is None:
        return [Note(f"Skipped: knowledge_base/lookup.csv is missing; it is {KNOWLEDGE_BASE_SOURCE}.")]
    return [
        Table(
            paper_tables.table3_lookup(ctx.results, lookup),
            "Best strategy-objective per class and metric, with its change on validation and test.",
        )
    ]


def fig6(ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    interaction = ctx.results.knowledge_base_csv("interaction.csv")
    if interaction is None:
        blocks.append(
            Note(
                f"Skipped Fig. 6a: knowledge_base/interaction.csv is missing; it is {KNOWLEDGE_BASE_SOURCE}."
            )
        )
    else:
        path = figures.fig6a_interaction(
            ctx.results,
            interaction,
            ctx.figure_path("fig6a_interaction.png"),
            ctx.results.knowledge_base_csv("interaction_test.csv"),
        )
        blocks.append(
            ctx.figure(
                path,
                "Row: class AutoGeTS was applied to (its best-CBA model); column: class "
                "whose CBA changed (pp); test beside validation when recorded.",
            )
        )
    effect = ctx.results.knowledge_base_csv("oba_effect.csv")
    if effect is None:
        blocks.append(
            Note(f"Skipped Fig. 6b: knowledge_base/oba_effect.csv is missing; it is {KNOWLEDGE_BASE_SOURCE}.")
        )
    else:
        path = figures.fig6b_oba_effect(ctx.results, effect, ctx.figure_path("fig6b_oba_effect.png"))
        blocks.append(
            ctx.figure(
                path,
                "Change in overall balanced accuracy when AutoGeTS is applied to each "
                "class (validation and test, pp).",
            )
        )
    return blocks


def _result_text(name: str, result: dict) -> str:
    termination = result.get("termination")
    detail = termination.get("detail", "") if isinstance(termination, dict) else str(termination or "")
    parameters = json.dumps(result.get("parameters", {}), sort_keys=True)
    return (
        f"Run {name}: requirement {result.get('requirement', '?')}, parameters {parameters}; "
        f"the ensemble stopped: {detail or 'n/a'}."
    )


def fig7(ctx: Context) -> list[Block]:
    runs = ctx.results.ensemble_runs()
    if not runs:
        return [Note(f"Skipped: no ensemble/<name>/steps.csv; ensemble runs are {ENSEMBLE_SOURCE}.")]
    blocks: list[Block] = []
    for name, steps in runs.items():
        result = ctx.results.ensemble_result(name)
        path = fig7_ensemble(name, steps, ctx.figure_path(f"fig7_ensemble_{safe_name(name)}.png"), result)
        if result is not None:
            blocks.append(Text(_result_text(name, result)))
        blocks.append(
            ctx.figure(
                path,
                f"Ensemble run {name}: change vs M0 of the current model (a rejected "
                f"step keeps the last accepted model), ensemble vs single "
                f"strategy-objective and random combinations.",
            )
        )
        blocks.append(
            Table(
                paper_tables.formatted(final_changes(name, steps, result)),
                f"Run {name}: the final model of each method vs M0.",
            )
        )
    return blocks


def trajectories(ctx: Context) -> list[Block]:
    objectives = trajectory_objectives(ctx.results)
    if not objectives:
        return [Note(f"Skipped: trajectory.parquet is missing; it is {TRAJECTORY_SOURCE}.")]
    blocks: list[Block] = []
    for objective in objectives:
        number = PAPER_FIGURE.get(objective)
        stem = f"fig{number}_trajectories_{objective}" if number else f"trajectories_{safe_name(objective)}"
        path = fig_trajectories(ctx.results, objective, ctx.figure_path(f"{stem}.png"))
        blocks.append(
            ctx.figure(
                path,
                f"Objective {objective.upper()}: validation improvement over M0 of the best "
                f"model so far (M0 until a trial beats it, so 0 at the start and never below) "
                f"against cumulative retrain seconds; per strategy the max (solid) and mean "
                f"(dashed) over searches.",
            )
        )
    return blocks


def example_effects(ctx: Context) -> list[Block]:
    tables = effects_tables(ctx.results.path)
    if not tables:
        return [
            Text(
                "No search of this experiment learns per-example effects; the datamodel strategy "
                "does (strategies: [datamodel]) and lists here the tickets that help and hurt most."
            )
        ]
    blocks: list[Block] = [
        Text(
            "The datamodel strategy fits each example's effect on the search's validation objective from "
            "every trial it ran (a linear model on which examples a trial's subset held). Examples that "
            "help make good prompts for synthetic data; those that hurt are worth a look (mislabelled, "
            "atypical or duplicated tickets)."
        )
    ]
    for search_id, table in tables.items():
        blocks.append(
            Table(
                table,
                f"{search_id}: the examples that help and hurt most (effect on the "
                f"validation objective, 95% interval).",
            )
        )
    return blocks


#: (title, builder) in page order.
SECTIONS: list[tuple[str, Callable[[Context], list[Block]]]] = [
    ("Overview", overview),
    ("Table 1: M0 per class", table1),
    ("Table 2: improvement over M0 per class, strategy and objective", table2),
    ("Search vs no-search: does the search pay?", search_vs_no_search),
    ("Fig. 4: improvements per class and strategy-objective", fig4),
    ("Fig. 5: Pareto fronts", fig5),
    ("Table 3: best strategy-objective per class and metric (knowledge base)", table3),
    ("Fig. 6: class interactions and effect on overall balanced accuracy", fig6),
    ("Fig. 7: cumulative ensemble curves", fig7),
    ("Figs. 27-30: fixed-time trajectories", trajectories),
    ("Examples that help and hurt (datamodel)", example_effects),
]


def _build(builder: Callable[[Context], list[Block]], ctx: Context) -> list[Block]:
    """A section's blocks; an unusable input (ValueError) becomes a note instead of failing the page."""
    try:
        return builder(ctx)
    except ValueError as exc:
        log.warning("report section %s skipped: %s", builder.__name__, exc)
        return [Note(f"Skipped: {exc}")]


def write_report(results_dir: str | Path, fmt: str = "html") -> Path:
    """Write ``report.html`` (or ``report.md``) and ``figures/*.png`` into ``results_dir``."""
    if fmt not in ("html", "md"):
        raise UserInputError(f"unknown report format {fmt!r}; choose html or md")
    splits = Path(results_dir) / comparison_report.SPLIT_SUMMARY_FILE
    if splits.is_file() and not (Path(results_dir) / "summary.csv").is_file():
        return _write_splits_report(Path(results_dir), splits, fmt)
    results = ResultsDir.open(results_dir)
    ctx = Context(results, results.path / FIGURES_DIR, results.path)
    sections = [Section(title, _build(builder, ctx)) for title, builder in SECTIONS]
    title = f"AutoGeTS report: {results.path.resolve().name}"
    path = results.path / f"report.{fmt}"
    text = render_html(title, sections) if fmt == "html" else render_markdown(title, sections)
    path.write_text(text, encoding="utf-8")
    return path


def _write_splits_report(root: Path, table_path: Path, fmt: str) -> Path:
    """The page of an experiment repeated over split seeds: intervals table, plot, links to each split."""
    figure = comparison_report.plot_split_intervals(table_path, root / FIGURES_DIR / "split_intervals.png")
    runs = sorted(p.name for p in root.glob("split-*") if (p / "summary.csv").is_file())
    sections = [
        Section(
            "Overview",
            [
                Text(
                    f"Results directory {root}: the experiment on {len(runs)} splits "
                    f"({', '.join(runs)}); each has its own report (autogets report {root}/<split>)."
                )
            ],
        ),
        Section(
            "Test change over M0 across splits",
            [
                Table(
                    comparison_report.splits_table(table_path),
                    "Mean and 95% t-interval over the splits of each method's test change over M0; for "
                    "'+decision' rows, how often the search recommended M0, a baseline or its candidate.",
                ),
                Figure(
                    figure.relative_to(root).as_posix(),
                    "Test change in CBA per method (filled dot in the strategy's colour: its best "
                    "validation trial; ring: its recommendation; brown square, pink diamond, olive "
                    "triangle: the all-examples, duplicate and class-weight baselines); bars are 95% "
                    "intervals over the splits.",
                ),
            ],
        ),
    ]
    title = f"AutoGeTS report: {root.resolve().name} (repeated splits)"
    path = root / f"report.{fmt}"
    path.write_text(
        render_html(title, sections) if fmt == "html" else render_markdown(title, sections), encoding="utf-8"
    )
    return path
