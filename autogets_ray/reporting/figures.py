"""Paper figures from search results: Fig. 4 (improvements), Fig. 5 (Pareto), Fig. 6 (knowledge base).

Each function writes one PNG and returns its path; values are shown in percentage points (pp).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, delta_column, metric_column
from autogets_ray.metrics import objective_column, objective_names, objectives_in
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import (
    BASELINE_STYLES,
    diverging_heatmap,
    legend_below,
    panel_grid,
    save_figure,
    strategy_color,
    strategy_gid,
    strategy_rank,
    suptitle,
)

#: Markers of the objectives in registration order (the paper's CR, CBA, OBA, OF1 first), then cycled.
_MARKERS = ("^", "o", "s", "D", "v", "P", "X")
M0_STYLE = {
    "marker": BASELINE_STYLES["m0"]["marker"],
    "color": BASELINE_STYLES["m0"]["color"],
    "edgecolors": BASELINE_STYLES["m0"]["edgecolor"],
}


def objective_marker(objective: str) -> str:
    """The scatter marker of a registered objective; ``x`` for any other name."""
    names = objective_names()
    return _MARKERS[names.index(objective) % len(_MARKERS)] if objective in names else "x"


def objective_rank(objective: str) -> int:
    """Sort key: registration order of the objectives, unknown names last."""
    names = objective_names()
    return names.index(objective) if objective in names else len(names)


def fig4_metrics(trials: pd.DataFrame) -> tuple[str, ...]:
    """Metrics compared in Fig. 4: every objective the trials carry (the paper's CR, CBA, OBA and OF1,
    and the class AUC when the runs had decision scores)."""
    return objectives_in(trials.columns)


def best_trial_deltas(results: ResultsDir) -> pd.DataFrame:
    """Per search, the best validation trial's change vs M0 in each of :func:`fig4_metrics` (val and test)."""
    trials = results.trials
    rows = []
    for search_id, group in trials.groupby("search_id", sort=False):
        best = group.loc[group["val_objective"].idxmax()]
        target = str(best["target_class"])
        row = {
            "search_id": search_id,
            "target_class": target,
            "strategy": best["strategy"],
            "objective": best["objective"],
        }
        for metric in fig4_metrics(trials):
            key = objective_column(metric, target)
            for part in SPLITS:
                column = metric_column(key, split=part)
                value = best[column] if column in best.index else np.nan
                m0 = float(results.m0[part].get(key, np.nan))
                row[metric_column(metric, split=part)] = float(value) - m0
        rows.append(row)
    return pd.DataFrame(rows)


def _combo_order(frame: pd.DataFrame) -> list[tuple[str, str]]:
    def key(combo: tuple[str, str]) -> tuple:
        s, o = combo
        return (*strategy_rank(s), objective_rank(o), o)

    return sorted({(str(s), str(o)) for s, o in zip(frame["strategy"], frame["objective"])}, key=key)


def fig4_improvements(results: ResultsDir, path: str | Path) -> Path:
    """Paper Fig. 4: best ΔCR/ΔCBA/ΔOBA/ΔOF1 per class x strategy-objective (colour: val; text: val, test)."""
    deltas = best_trial_deltas(results)
    if deltas.empty:
        raise UserInputError(f"{results.path / 'trials.parquet'} holds no trials")
    classes = [c for c in results.classes_by_size() if c in set(deltas["target_class"])]
    combos = _combo_order(deltas)
    metrics = fig4_metrics(results.trials)
    cols = 2 if len(combos) <= 8 else 1
    fig, axes = panel_grid(
        len(metrics), cols, width=max(6.0, 0.95 * len(combos) + 3), height=max(3.2, 0.55 * len(classes) + 2)
    )
    for ax, metric in zip(axes.ravel(), metrics):
        values = np.full((len(classes), len(combos)), np.nan)
        labels = [["" for _ in combos] for _ in classes]
        for _, row in deltas.iterrows():
            i, j = classes.index(row["target_class"]), combos.index((row["strategy"], row["objective"]))
            values[i, j] = 100 * row[metric_column(metric, split="val")]
            labels[i][j] = f"{values[i, j]:+.2f}\n({100 * row[metric_column(metric, split='test')]:+.2f})"
        diverging_heatmap(
            ax,
            values,
            classes,
            [f"{s.upper()}-{o.upper()}" for s, o in combos],
            labels,
            colorbar=f"validation Δ{metric.upper()} (pp)",
        )
        ax.set_title(f"Δ{metric.upper()} of the best trial vs M0: validation (test in brackets), pp")
        ax.set_xlabel("strategy-objective of the search")
        ax.set_ylabel("target class (largest first)")
    suptitle(fig, "Improvements per class and strategy-objective (paper Fig. 4 analog)")
    return save_figure(fig, path)


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated points when maximising both x and y, by increasing x."""
    order = np.lexsort((-y, -x))  # x descending, ties: y descending
    front, best_y = [], -np.inf
    for i in order:
        if y[i] > best_y:
            front.append(i)
            best_y = y[i]
    return np.array(front[::-1], dtype=int)


@dataclass(frozen=True)
class ClassPick:
    """A class drawn in Fig. 5 and where it stands by training examples."""

    name: str
    role: str  # "the largest", "a mid-sized", "the smallest", "the larger", "the smaller", "the only"
    searched: int  # how many classes were searched
    train: int | None  # its training examples (None: split not saved)
    rank: int  # 1 = most training examples, among all classes
    classes: int  # all classes

    @property
    def label(self) -> str:
        """E.g. "the smaller of 2 searched classes: 27 training examples, 7th largest of 7"."""
        of = (
            "the only searched class"
            if self.searched == 1
            else f"{self.role} of {self.searched} searched classes"
        )
        if self.train is None:
            return f"{of} (training size not saved)"
        return f"{of}: {self.train} training examples, {_ordinal(self.rank)} largest of {self.classes}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pick_size_classes(results: ResultsDir, searched: list[str]) -> list[ClassPick]:
    """The classes of Fig. 5 among the ``searched`` ones, by training examples: the largest, a
    mid-sized (the median) and the smallest of 3 or more; both of 2; the one of 1."""
    order = results.classes_by_size()
    ordered = [c for c in order if c in set(searched)]
    ordered += sorted(set(searched) - set(ordered))  # a searched class M0 does not know: last
    n = len(ordered)
    if n >= 3:
        roles = [("the largest", 0), ("a mid-sized", n // 2), ("the smallest", n - 1)]
    elif n == 2:
        roles = [("the larger", 0), ("the smaller", 1)]
    else:
        roles = [("the only", 0)] if n else []
    sizes = results.split_sizes
    picks = []
    for role, i in roles:
        name = ordered[i]
        known = sizes is not None and name in sizes.index
        picks.append(
            ClassPick(
                name=name,
                role=role,
                searched=n,
                train=int(sizes.loc[name, "train"]) if known else None,
                rank=order.index(name) + 1 if name in order else len(order) + 1,
                classes=len(order),
            )
        )
    return picks


def fig5_classes(results: ResultsDir) -> list[ClassPick]:
    """:func:`pick_size_classes` over the target classes of the trials."""
    return pick_size_classes(results, sorted(set(results.trials["target_class"].astype(str))))


def fig5_caption(picks: list[ClassPick]) -> str:
    """The report's caption of Fig. 5, naming exactly the panels drawn."""
    if not picks:
        return "No trials to draw."
    n = picks[0].searched
    if n == 1:
        which = f"the only searched class ({picks[0].name})"
    elif n == 2:
        which = f"the larger ({picks[0].name}) and the smaller ({picks[1].name}) of the 2 searched classes"
    else:
        which = (
            f"the largest ({picks[0].name}), a mid-sized ({picks[1].name}) and the smallest "
            f"({picks[2].name}) of the {n} searched classes"
        )
    return (
        f"Validation CR vs CBA of every trial targeting {which}, by training examples. Trials at the "
        "same point form one marker whose area counts them, a pie with a wedge per strategy when "
        "several strategies share the point (markers of different objectives at one point are set "
        "a few pixels apart, a line to the point). "
        "Black line and dots: the non-dominated front; star: M0."
    )


#: Marker areas (points^2, as matplotlib's scatter ``s``) of a point with 1 trial and with the most
#: trials of the figure; areas grow linearly in between (the size legend gives the scale).
AREA_ONE = 28.0
AREA_MAX = 650.0
#: How far apart (points) pies of different objectives at one point are set around it.
DODGE_POINTS = 12.0


def tied_points(frame: pd.DataFrame, x: str, y: str, by: list[str]) -> pd.DataFrame:
    """One row per distinct (``by``..., x, y) with ``count``, the trials at that point; sorted by ``by``
    then x, y."""
    points = frame[[*by, x, y]].rename(columns={x: "x", y: "y"})
    points = points.dropna(subset=["x", "y"])
    return points.groupby([*by, "x", "y"], sort=True).size().rename("count").reset_index()


def count_area(counts: np.ndarray | pd.Series | list[int], most: int) -> np.ndarray:
    """Marker areas of points with ``counts`` trials: :data:`AREA_ONE` for 1, growing linearly with
    the count to :data:`AREA_MAX` for ``most`` (the figure's largest count)."""
    counts = np.asarray(counts, dtype=float)
    if most <= 1:
        return np.full(counts.shape, AREA_ONE)
    return AREA_ONE + (AREA_MAX - AREA_ONE) * (counts - 1) / (most - 1)


def size_legend_counts(most: int) -> list[int]:
    """Up to four counts from 1 to ``most`` (round ones in between) for the size legend."""
    if most <= 1:
        return [1]
    steps = [c for c in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if c < most]
    return sorted({steps[0], *steps[-2:], most})


def fig5_points(mine: pd.DataFrame, name: str) -> pd.DataFrame:
    """The trials of class ``name`` as pies: one row per (objective, validation CR, CBA, strategy) with
    ``count``, and ``total``: the trials of that objective at that point (the pie's size)."""
    cr, cba = metric_column("cr", name, "val"), metric_column("cba", name, "val")
    points = tied_points(
        mine.assign(objective=mine["objective"].astype(str)), cr, cba, ["objective", "strategy"]
    )
    total = points.groupby(["objective", "x", "y"])["count"].transform("sum")
    return points.assign(total=total.astype(int))


def _dodge(n: int, k: int) -> tuple[float, float]:
    """Offset (points) of the ``k``-th of ``n`` pies at one point: around a circle, 0 if alone."""
    if n <= 1:
        return 0.0, 0.0
    angle = np.pi / 2 - 2 * np.pi * k / n
    return DODGE_POINTS * float(np.cos(angle)), DODGE_POINTS * float(np.sin(angle))


def _draw_fig5_panel(ax: Any, points: pd.DataFrame, most: int, mark_objectives: bool) -> None:
    """At every distinct point one marker per objective, its area by the trials there
    (:func:`count_area`): the objective's marker in the strategy's colour when one strategy made them
    all, else a pie with a wedge per strategy (its share, in :func:`strategy_color`; with several
    objectives the objective's marker in black at its centre). Markers of different objectives at one
    point are set a few points apart around it, with a line to the point."""
    from matplotlib.patches import Wedge
    from matplotlib.transforms import ScaledTranslation

    fig = ax.figure
    pies = points.groupby(["objective", "x", "y"], sort=False)
    here = points.groupby(["x", "y"])["objective"].agg(
        lambda o: sorted(set(o), key=lambda v: (objective_rank(v), v))
    )
    order = sorted(pies.groups, key=lambda key: -int(pies.get_group(key)["count"].sum()))  # big ones behind
    for z, (objective, x, y) in enumerate(order):
        pie = pies.get_group((objective, x, y))
        pie = pie.iloc[sorted(range(len(pie)), key=lambda i: strategy_rank(str(pie["strategy"].iloc[i])))]
        objectives = here[(x, y)]
        dx, dy = _dodge(len(objectives), objectives.index(objective))
        at = fig.dpi_scale_trans + ScaledTranslation(x, y, ax.transData)
        centre = (dx / 72, dy / 72)  # inches from the point
        if dx or dy:
            ax.plot([0, centre[0]], [0, centre[1]], color="0.5", lw=0.6, transform=at, zorder=2)
        area = float(count_area([pie["count"].sum()], most)[0])
        marker = objective_marker(str(objective)) if mark_objectives else "o"
        if len(pie) == 1:
            strategy = str(pie["strategy"].iloc[0])
            ax.scatter(
                [centre[0]],
                [centre[1]],
                s=area,
                marker=marker,
                color=strategy_color(strategy),
                edgecolors="white",
                linewidths=0.5,
                alpha=0.9,
                transform=at,
                gid=strategy_gid(strategy),
                zorder=2 + z * 1e-3,
            )
            continue
        radius = float(np.sqrt(area)) / 2 / 72  # inches
        start = 90.0
        for strategy, count in zip(pie["strategy"], pie["count"]):
            sweep = 360.0 * float(count) / float(pie["count"].sum())
            ax.add_patch(
                Wedge(
                    centre,
                    radius,
                    start - sweep,
                    start,
                    transform=at,
                    facecolor=strategy_color(str(strategy)),
                    edgecolor="white",
                    lw=0.6,
                    alpha=0.9,
                    gid=strategy_gid(str(strategy)),
                    zorder=2 + z * 1e-3,
                )
            )
            start -= sweep
        if mark_objectives:
            ax.scatter([centre[0]], [centre[1]], s=12, color="black", marker=marker, transform=at, zorder=3)
    if len(points):  # patches in display units do not count for autoscaling: add the data points
        ax.update_datalim(points[["x", "y"]].to_numpy(float))
        ax.autoscale_view()


def fig5_pareto(results: ResultsDir, path: str | Path) -> Path:
    """Paper Fig. 5: validation CR vs CBA of every trial for the largest, a mid-sized and the smallest
    searched class (by training examples; fewer panels when fewer classes were searched). Trials at
    the same point make one marker (area: how many; a pie of their strategies when several)."""
    trials = results.trials
    picks = fig5_classes(results)
    if not picks:
        raise UserInputError(f"{results.path / 'trials.parquet'} holds no trials")
    from matplotlib.lines import Line2D

    shown = trials[trials["target_class"].astype(str).isin([p.name for p in picks])]
    panels = [(pick, shown[shown["target_class"].astype(str) == pick.name]) for pick in picks]
    points = {pick.name: fig5_points(mine, pick.name) for pick, mine in panels}
    most = max([int(p["total"].max()) for p in points.values() if len(p)] or [1])
    objectives = sorted(set(shown["objective"].astype(str)), key=lambda o: (objective_rank(o), o))
    fig, axes = panel_grid(len(picks), 3, width=5.4, height=4.8)
    for ax, (pick, mine) in zip(axes.ravel(), panels):
        name = pick.name
        cr, cba = metric_column("cr", name, "val"), metric_column("cba", name, "val")
        _draw_fig5_panel(ax, points[name], most, mark_objectives=len(objectives) > 1)
        x, y = mine[cr].to_numpy(float), mine[cba].to_numpy(float)
        front = pareto_front(x, y)
        ax.plot(x[front], y[front], "-", color="black", lw=1.0, marker="o", ms=3, zorder=4)
        m0 = results.m0["val"]
        ax.scatter(
            [m0[metric_column("cr", name)]], [m0[metric_column("cba", name)]], s=110, zorder=5, **M0_STYLE
        )
        ax.margins(0.12)
        ax.set_title(f"class {name} ({len(mine)} trials)\n{pick.label}", fontsize=9.5)
        ax.set_xlabel(f"validation recall of {name} (CR)")
        ax.set_ylabel(f"validation balanced accuracy of {name} (CBA)")
        ax.grid(alpha=0.3)
    handles = [
        Line2D([], [], color=strategy_color(s), marker="s", ls="", label=f"strategy {s.upper()}")
        for s in sorted(set(shown["strategy"]), key=strategy_rank)
    ]
    if len(objectives) > 1:
        handles += [
            Line2D(
                [], [], color="black", marker=objective_marker(o), ls="", ms=5, label=f"objective {o.upper()}"
            )
            for o in objectives
        ]
    handles += [
        Line2D(
            [],
            [],
            color="0.55",
            marker="o",
            ls="",
            markersize=float(np.sqrt(count_area([c], most)[0])),
            label=f"{c} trial{'s' if c > 1 else ''} at a point",
        )
        for c in size_legend_counts(most)
    ]
    handles += [
        Line2D([], [], color="black", marker="o", ms=3, label="non-dominated front"),
        Line2D([], [], color=M0_STYLE["color"], marker="*", ls="", ms=11, mec="black", label="M0"),
    ]
    only = f", objective {objectives[0].upper()}" if len(objectives) == 1 else ""
    suptitle(
        fig,
        f"Pareto fronts of class recall vs class balanced accuracy, every trial{only} (paper Fig. 5 analog)",
    )
    legend_below(
        fig,
        handles,
        [h.get_label() for h in handles],
        ncol=min(len(handles), 5 if len(picks) > 1 else 3),
        labelspacing=1.3,
        borderpad=0.9,
        title="marker area: the trials at one point; a pie when several strategies share it",
    )
    return save_figure(fig, path, tight=True)


def _interaction_matrix(results: ResultsDir, interaction: pd.DataFrame, name: str) -> pd.DataFrame:
    if "applied_class" not in interaction.columns:
        raise UserInputError(f"knowledge_base/{name} needs a first column 'applied_class'")
    matrix = interaction.set_index(interaction["applied_class"].astype(str)).drop(columns="applied_class")
    order = results.classes_by_size()
    rows = sorted(matrix.index, key=lambda c: (order.index(c) if c in order else len(order), c))
    cols = sorted(matrix.columns, key=lambda c: (order.index(c) if c in order else len(order), c))
    return matrix.loc[rows, cols].astype(float)


def fig6a_interaction(
    results: ResultsDir,
    interaction: pd.DataFrame,
    path: str | Path,
    interaction_test: pd.DataFrame | None = None,
) -> Path:
    """Paper Fig. 6a: change in each class's CBA when AutoGeTS is applied to a class (validation,
    and test beside it when ``interaction_test`` is given)."""
    panels = [("validation", _interaction_matrix(results, interaction, "interaction.csv"))]
    if interaction_test is not None:
        panels.append(("test", _interaction_matrix(results, interaction_test, "interaction_test.csv")))
    rows, cols = panels[0][1].shape
    fig, axes = panel_grid(len(panels), 2, width=max(6.0, 0.75 * cols + 3), height=max(4.0, 0.5 * rows + 2))
    for ax, (part, matrix) in zip(axes.ravel(), panels):
        values = 100 * matrix.to_numpy(float)
        labels = [[f"{v:+.2f}" if np.isfinite(v) else "" for v in row] for row in values]
        diverging_heatmap(
            ax, values, list(matrix.index), list(matrix.columns), labels, colorbar=f"Δ {part} CBA (pp)"
        )
        ax.set_xlabel(f"class whose {part} CBA changes")
        ax.set_ylabel("class AutoGeTS was applied to")
        ax.set_title(f"Δ {part} CBA vs M0 (pp)")
    suptitle(
        fig, "Class interaction: applying AutoGeTS to one class changes the others (paper Fig. 6a analog)"
    )
    return save_figure(fig, path)


def fig6b_oba_effect(results: ResultsDir, effect: pd.DataFrame, path: str | Path) -> Path:
    """Paper Fig. 6b: each class's effect on overall balanced accuracy (val and test)."""
    oba_val, oba_test = delta_column("oba", "val"), delta_column("oba", "test")
    missing = {"target_class", oba_val, oba_test} - set(effect.columns)
    if missing:
        raise UserInputError(f"knowledge_base/oba_effect.csv lacks column(s) {', '.join(sorted(missing))}")
    order = results.classes_by_size()
    effect = effect.assign(target_class=effect["target_class"].astype(str))
    effect = effect.set_index("target_class")
    classes = sorted(effect.index, key=lambda c: (order.index(c) if c in order else len(order), c))
    x = np.arange(len(classes))
    fig, axes = panel_grid(1, 1, width=max(6.0, 0.6 * len(classes) + 2), height=4.2)
    ax = axes[0, 0]
    ax.bar(x - 0.2, 100 * effect.loc[classes, oba_val], width=0.4, label="validation", color="tab:blue")
    ax.bar(x + 0.2, 100 * effect.loc[classes, oba_test], width=0.4, label="test", color="tab:orange")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, classes, rotation=40, ha="right")
    ax.set_xlabel("class AutoGeTS was applied to (largest first)")
    ax.set_ylabel("ΔOBA vs M0 (pp)")
    ax.set_title("Effect on overall balanced accuracy (paper Fig. 6b analog)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return save_figure(fig, path)
