"""The record of one ensemble run: one row per iteration (``steps.csv``) and its outcome.

Iteration 0 is M0. An accepted row holds the metrics of the model the ensemble moved to; a rejected
row (always the last, since rejection terminates the paper's algorithms) holds the metrics of the
best candidate tried at that iteration, and the ensemble stays at the previous accepted row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from autogets_ray.ensemble.candidates import Step
from autogets_ray.metric_names import SPLITS, metric_column, parse_metric_column
from autogets_ray.metrics import CLASS_OBJECTIVES, OBJECTIVES, OVERALL_OBJECTIVES, get_objective

Metrics = Mapping[str, float]
#: ``evaluate(steps)``: retrain with the union of the steps' synthetic samples appended to the real
#: training rows; flat ``val_``/``test_`` metrics (``val_oba``, ``test_cba[C]``, ...) and ``n_synthetic``.
Evaluate = Callable[[Sequence[Step]], Metrics]

BASE_COLUMNS = [
    "method",
    "iteration",
    "applied_class",
    "strategy",
    "objective",
    "search_id",
    "candidate_id",
    "accepted",
    "reason",
    "n_synthetic",
    "candidates_tried",
    "retrain_seconds",
]


def step_columns(classes: Sequence[str]) -> list[str]:
    """``steps.csv``'s columns: the iteration's record, then every objective on val and test (the
    overall ones, then each class's)."""
    overall = [metric_column(o, split=p) for o in OVERALL_OBJECTIVES for p in SPLITS]
    per_class = [metric_column(o, c, p) for c in classes for o in CLASS_OBJECTIVES for p in SPLITS]
    return BASE_COLUMNS + overall + per_class


def _metric_value(metrics: Metrics, column: str) -> float:
    """A metric column's value; NaN for an objective that needs decision scores the retrain lacked."""
    if column not in metrics:
        name = parse_metric_column(column).metric
        if name in OBJECTIVES and get_objective(name).needs_scores:
            return math.nan
    return float(metrics[column])


@dataclass
class Termination:
    code: str  # no_improvement | gains_not_kept | not_improved | order_exhausted
    detail: str


@dataclass
class EnsembleRun:
    """What one method (the ensemble, a single strategy-objective, a random run) did."""

    method: str
    classes: list[str]
    m0: dict[str, float]
    rows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # accepted, in order
    final: dict[str, float] = field(default_factory=dict)
    termination: Termination | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.final = dict(self.m0)
        self.rows.append(self._row(None, True, "M0", self.m0, []))

    def _row(
        self,
        step: Step | None,
        accepted: bool,
        reason: str,
        metrics: Metrics,
        tried: Sequence[tuple[Step, Metrics]],
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "method": self.method,
            "iteration": len(self.rows),
            "applied_class": step.applied_class if step else "",
            "strategy": step.strategy if step else "",
            "objective": step.objective if step else "",
            "search_id": step.search_id if step else "",
            "candidate_id": step.candidate_id if step else "",
            "accepted": accepted,
            "reason": reason,
            "n_synthetic": int(metrics.get("n_synthetic", 0)),
            "candidates_tried": len(tried),
            # what this iteration's retrains cost (as if none were cached): Fig. 7's time axis
            "retrain_seconds": float(sum(m.get("retrain_seconds", 0.0) for _, m in tried)),
        }
        for column in step_columns(self.classes)[len(row) :]:
            row[column] = _metric_value(metrics, column)
        return row

    def accept(
        self, step: Step, metrics: Metrics, tried: Sequence[tuple[Step, Metrics]], reason: str = "improved"
    ) -> None:
        self.rows.append(self._row(step, True, reason, metrics, tried))
        self.steps.append(step)
        self.final = dict(metrics)

    def reject(
        self, step: Step, metrics: Metrics, tried: Sequence[tuple[Step, Metrics]], code: str, detail: str
    ) -> None:
        self.rows.append(self._row(step, False, detail, metrics, tried))
        self.terminate(code, detail)

    def terminate(self, code: str, detail: str) -> None:
        self.termination = Termination(code, detail)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=step_columns(self.classes))

    def summary(self, keys: Sequence[str]) -> dict[str, Any]:
        """Final vs M0 for ``keys`` (flat metric names without prefix), val and test."""
        out: dict[str, Any] = {
            "method": self.method,
            "accepted_steps": len(self.steps),
            "n_synthetic": int(self.final.get("n_synthetic", 0)),
        }
        for part in SPLITS:
            columns = {k: metric_column(k, split=part) for k in keys}
            out[part] = {
                k: {
                    "m0": float(self.m0[c]),
                    "final": float(self.final[c]),
                    "delta": float(self.final[c]) - float(self.m0[c]),
                }
                for k, c in columns.items()
            }
        out["termination"] = None if self.termination is None else vars(self.termination)
        out["steps"] = [vars(s) for s in self.steps]
        out["notes"] = list(self.notes)
        return out
