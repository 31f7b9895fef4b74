"""Paper figures from search results: Fig. 4 (improvements), Fig. 5 (Pareto), Fig. 6 (knowledge base).

Each function writes one PNG and returns its path; values are shown in percentage points (pp).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, delta_column, metric_column
from autogets_ray.metrics import objective_column, objective_names, objectives_in
from autogets_ray.reporting.inputs import ResultsDir
from autogets_ray.reporting.plotting import (
    STRATEGY_ORDER,
    diverging_heatmap,
    panel_grid,
    save_figure,
    strategy_colors,
    suptitle,
)

#: Markers of the objectives in registration order (the paper's CR, CBA, OBA, OF1 first), then cycled.
_MARKERS = ("^", "o", "s", "D", "v", "P", "X")
M0_STYLE = {"marker": "*", "color": "gold", "edgecolors": "black"}


def objective_marker(objective: str) -> str:
    """The scatter marker of a registered objective; ``x`` for any other name."""
    names = objective_names()
    return _MARKERS[names.index(objective) % len(_MARKERS)] if objective in names else "x"


def objective_size(objective: str) -> float:
    """Marker area, decreasing from 60 to 14 over the registered objectives (20 for any other name),
    so trials of different objectives at the same point stay visible."""
    names = objective_names()
    if objective not in names:
        return 20.0
    return 60.0 - 46.0 * names.index(objective) / max(1, len(names) - 1)


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
        return (STRATEGY_ORDER.index(s) if s in STRATEGY_ORDER else 99, s, objective_rank(o), o)

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


def pick_size_classes(results: ResultsDir, candidates: list[str]) -> list[tuple[str, str]]:
    """A large, a mid-sized and a small class among ``candidates`` (by training size)."""
    ordered = [c for c in results.classes_by_size() if c in candidates]
    if len(ordered) >= 3:
        return [("large", ordered[0]), ("mid-sized", ordered[len(ordered) // 2]), ("small", ordered[-1])]
    if len(ordered) == 2:
        return [("large", ordered[0]), ("small", ordered[1])]
    return [("only target", c) for c in ordered]


def fig5_pareto(results: ResultsDir, path: str | Path) -> Path:
    """Paper Fig. 5: validation CR vs CBA of every trial for a large, a mid-sized and a small class."""
    trials = results.trials
    picks = pick_size_classes(results, sorted(set(trials["target_class"].astype(str))))
    if not picks:
        raise UserInputError(f"{results.path / 'trials.parquet'} holds no trials")
    from matplotlib.lines import Line2D

    colors = strategy_colors(sorted(set(trials["strategy"])))
    sizes = results.split_sizes
    fig, axes = panel_grid(len(picks), 3, width=5.2, height=4.6)
    for ax, (kind, name) in zip(axes.ravel(), picks):
        mine = trials[trials["target_class"].astype(str) == name]
        cr, cba = metric_column("cr", name, "val"), metric_column("cba", name, "val")
        x, y = mine[cr].to_numpy(float), mine[cba].to_numpy(float)
        for (strategy, objective), group in mine.groupby(["strategy", "objective"]):
            ax.scatter(
                group[cr],
                group[cba],
                s=objective_size(objective),
                alpha=0.7,
                color=colors[strategy],
                marker=objective_marker(objective),
            )
        front = pareto_front(x, y)
        ax.plot(x[front], y[front], "-", color="black", lw=1.3, zorder=3)
        ax.scatter(x[front], y[front], s=70, facecolors="none", edgecolors="black", lw=1.3, zorder=4)
        m0 = results.m0["val"]
        ax.scatter(
            [m0[metric_column("cr", name)]], [m0[metric_column("cba", name)]], s=240, zorder=5, **M0_STYLE
        )
        known = sizes is not None and name in sizes.index
        train = f"{int(sizes.loc[name, 'train'])} training examples; " if known else ""
        ax.set_title(f"class {name} ({kind}, {train}{len(mine)} trials)", fontsize=10)
        ax.set_xlabel(f"validation recall of {name} (CR)")
        ax.set_ylabel(f"validation balanced accuracy of {name} (CBA)")
        ax.grid(alpha=0.3)
    handles = [
        Line2D([], [], color=c, marker="o", ls="", label=f"strategy {s.upper()}") for s, c in colors.items()
    ]
    objectives = sorted(set(trials["objective"]), key=lambda o: (objective_rank(o), o))
    handles += [
        Line2D([], [], color="0.4", marker=objective_marker(o), ls="", label=f"objective {o.upper()}")
        for o in objectives
    ]
    handles += [
        Line2D([], [], color="black", marker="o", mfc="none", label="non-dominated front"),
        Line2D([], [], color=M0_STYLE["color"], marker="*", ls="", ms=14, mec="black", label="M0"),
    ]
    axes.ravel()[len(picks) - 1].legend(handles=handles, fontsize=7, loc="best")
    suptitle(
        fig,
        "Pareto fronts of class recall vs class balanced accuracy, one point per trial (paper Fig. 5 analog)",
    )
    return save_figure(fig, path)


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
