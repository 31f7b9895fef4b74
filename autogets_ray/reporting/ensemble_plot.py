"""Cumulative ensemble curves (paper Fig. 7) from ``ensemble/<name>/steps.csv``.

Per method (the ensemble, each single strategy-objective, random combinations) and iteration,
the current model's change vs M0: a rejected iteration keeps the last accepted model.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, class_columns, metric_column
from autogets_ray.metrics import OVERALL_OBJECTIVES, is_class_objective
from autogets_ray.reporting.figures import objective_marker
from autogets_ray.reporting.plotting import panel_grid, save_figure, strategy_color, strategy_gid, suptitle

MIN_CBA = "lowest class CBA"


def tracked_metrics(
    name: str, steps: pd.DataFrame, result: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """(metric key, label) pairs a run is judged by: R3 its important class's metric (CBA unless
    result.json's parameters name another class objective), R1 the lowest class CBA, otherwise (R2)
    the overall objectives, the run's own metric first. Only metrics whose val_ and test_ columns
    ``steps`` holds."""
    metric = str(((result or {}).get("parameters") or {}).get("metric", "cba"))
    overall = sorted(OVERALL_OBJECTIVES, key=lambda o: o != metric)  # stable: the run's metric first
    metrics = [(o, o.upper()) for o in overall]
    if name.lower().startswith("r3"):
        important = _important_class(name, steps, result)
        if important is not None:
            local = metric if is_class_objective(metric) else "cba"
            metrics = [(metric_column(local, important), f"{local.upper()} of {important}"), ("oba", "OBA")]
    elif name.lower().startswith("r1"):
        metrics = [(MIN_CBA, MIN_CBA), ("oba", "OBA")]
    present = set(steps.columns)
    return [
        (key, label)
        for key, label in metrics
        if (key == MIN_CBA and all(_class_columns(steps, part) for part in SPLITS))
        or {metric_column(key, split=part) for part in SPLITS} <= present
    ]


def _class_columns(steps: pd.DataFrame, part: str) -> list[str]:
    """The per-class CBA columns of one split."""
    return list(class_columns(steps.columns, "cba", part).values())


def _important_class(name: str, steps: pd.DataFrame, result: dict[str, Any] | None) -> str | None:
    guesses = [name[3:]] if len(name) > 3 else []
    if result:
        parameters = result.get("parameters") or {}
        guesses = [
            v for k, v in parameters.items() if ("class" in k or k == "important") and isinstance(v, str)
        ] + guesses
    for guess in guesses:
        if metric_column("cba", guess, "val") in steps.columns:
            return guess
    return None


def metric_values(steps: pd.DataFrame, key: str, part: str) -> np.ndarray:
    if key == MIN_CBA:
        return steps[_class_columns(steps, part)].min(axis=1).to_numpy(float)
    return steps[metric_column(key, split=part)].to_numpy(float)


def time_axis(steps: pd.DataFrame) -> tuple[str, str]:
    """(column, label) of the x axis: cumulative retrain seconds when recorded (the paper's), else iterations."""
    if "retrain_seconds" in steps.columns:
        return "retrain_seconds", "cumulative retrain seconds (markers: iterations)"
    return "iteration", "iteration (0 = M0)"


def cumulative_curve(steps: pd.DataFrame, key: str, part: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, change vs iteration 0) of one method's rows, carrying the last accepted model; x is the
    cumulative retrain seconds when recorded, else the iteration."""
    steps = steps.sort_values("iteration")
    values = metric_values(steps, key, part)
    accepted = _accepted(steps)
    current = np.where(accepted | (steps["iteration"].to_numpy() == 0), values, np.nan)
    current = pd.Series(current).ffill().to_numpy()
    column, _ = time_axis(steps)
    x = steps[column].to_numpy(float).cumsum() if column == "retrain_seconds" else steps[column].to_numpy(int)
    return x, current - current[0]


def _accepted(steps: pd.DataFrame) -> np.ndarray:
    if "accepted" not in steps.columns:
        return np.ones(len(steps), dtype=bool)
    return steps["accepted"].astype(str).str.lower().isin(["true", "1", "yes"]).to_numpy()


def single_parts(method: str) -> tuple[str, str]:
    """(strategy, objective) of a ``single:<strategy>-<objective>`` method; ("", "") for others."""
    if not method.startswith("single:"):
        return "", ""
    strategy, _, objective = method[len("single:") :].partition("-")
    return strategy, objective


def _draw(ax: Any, steps: pd.DataFrame, key: str, part: str) -> None:
    """Per method its cumulative curve: the ensemble in black, each single strategy-objective in its
    strategy's colour (marker: its objective), random combinations as a grey band and mean."""
    from matplotlib.ticker import MaxNLocator

    randoms = []
    for method, group in steps.groupby("method", sort=True):
        x, y = cumulative_curve(group, key, part)
        if method.startswith("random:"):
            randoms.append(pd.Series(100 * y, index=x).groupby(level=0).last())
        elif method == "ensemble":
            ax.step(
                x, 100 * y, where="post", color="black", lw=2.4, marker="o", ms=4, label="ensemble", zorder=5
            )
        else:
            strategy, objective = single_parts(method)
            ax.step(
                x,
                100 * y,
                where="post",
                color=strategy_color(strategy) if strategy else "0.5",
                lw=1.4,
                marker=objective_marker(objective) if objective else "o",
                ms=3.5,
                label=method.replace("single:", "single "),
                gid=strategy_gid(strategy) if strategy else None,
            )
    if randoms:
        table = pd.concat(randoms, axis=1).sort_index().ffill()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ax.fill_between(
                table.index,
                table.min(axis=1),
                table.max(axis=1),
                step="post",
                color="0.6",
                alpha=0.3,
                label=f"random: min-max of {len(randoms)}",
            )
            ax.step(
                table.index,
                table.mean(axis=1),
                where="post",
                color="0.35",
                ls="--",
                marker="o",
                ms=3,
                label=f"random: mean of {len(randoms)}",
            )
    ax.axhline(0, color="0.3", lw=0.8, ls=":")
    if time_axis(steps)[0] == "iteration":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def fig7_ensemble(
    name: str, steps: pd.DataFrame, path: str | Path, result: dict[str, Any] | None = None
) -> Path:
    """Paper Fig. 7 for one ensemble run: cumulative change vs M0 per method, val and test."""
    missing = {"method", "iteration"} - set(steps.columns)
    if missing:
        raise UserInputError(f"ensemble/{name}/steps.csv lacks column(s) {', '.join(sorted(missing))}")
    metrics = tracked_metrics(name, steps, result)
    if not metrics:
        raise UserInputError(f"ensemble/{name}/steps.csv has no val_/test_ columns for OBA, OF1 or class CBA")
    fig, axes = panel_grid(2 * len(metrics), 2, width=6.0, height=4.0)
    for row, (key, label) in enumerate(metrics):
        for col, part in enumerate(SPLITS):
            ax = axes[row, col]
            _draw(ax, steps, key, part)
            word = "validation" if part == "val" else "test"
            ax.set_title(f"{word} {label}")
            ax.set_xlabel(time_axis(steps)[1])
            ax.set_ylabel(f"Δ {word} {label} vs M0 (pp)")
            ax.legend(fontsize=7, loc="best")
    suptitle(fig, f"Ensemble run {name}: cumulative improvement of the current model (paper Fig. 7 analog)")
    return save_figure(fig, path)


def final_changes(name: str, steps: pd.DataFrame, result: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per method: accepted steps, the final model's change vs M0 in the tracked metrics (val and
    test) and, from result.json, why it stopped."""
    stops = {}
    if result:
        stops["ensemble"] = result.get("termination")
        stops.update({c.get("method"): c.get("termination") for c in result.get("comparisons") or []})
    metrics = tracked_metrics(name, steps, result)
    rows = []
    for method, group in steps.groupby("method", sort=False):
        row: dict[str, Any] = {
            "method": method,
            "accepted steps": int((_accepted(group) & (group["iteration"] > 0)).sum()),
        }
        for key, label in metrics:
            for part in SPLITS:
                row[f"Δ{label} {part}"] = float(cumulative_curve(group, key, part)[1][-1])
        stop = stops.get(method)
        row["stopped"] = stop.get("code", "") if isinstance(stop, dict) else str(stop or "")
        rows.append(row)
    return pd.DataFrame(rows)
