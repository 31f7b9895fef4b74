"""Names of metric columns: the one place that builds and parses them.

Three layers, each a prefix or suffix around the metric's name:

- a *flat key*, as :meth:`autogets_ray.metrics.Evaluation.flat` writes it: an overall metric by its
  name (``oba``, ``accuracy``), a per-class metric with its class in brackets (``cba[Access]``);
- a *split column* of the trial, baseline and ensemble tables: the split, an underscore, the flat
  key (``val_cba[Access]``, ``test_oba``);
- a *change column* of the summary tables: ``delta_<metric>_<split>`` (``delta_cba_test``), the
  change over M0 of the target class's metric (or of an overall one).

Which metrics are per-class is the objectives registry's business (:mod:`autogets_ray.metrics`);
:func:`autogets_ray.metrics.objective_column` decides it for an objective. The functions here only
format and parse, so they also serve metrics that are not objectives (``f1[<class>]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

#: The two scored splits, in the order tables list them: validation selects, test reports.
SPLITS = ("val", "test")
#: Prefix of a change-over-M0 column.
DELTA = "delta"


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return split


def metric_column(metric: str, target_class: str | None = None, split: str | None = None) -> str:
    """``("cba", "Access", "val")`` -> ``"val_cba[Access]"``; ``("oba", split="test")`` -> ``"test_oba"``.

    Without ``target_class`` the name stays as given, so an already built flat key gets its split
    prefix the same way: ``metric_column("cba[Access]", split="val")`` -> ``"val_cba[Access]"``.
    """
    key = metric if target_class is None else f"{metric}[{target_class}]"
    return key if split is None else f"{_check_split(split)}_{key}"


def delta_column(metric: str, split: str) -> str:
    """The change-over-M0 column of a metric on a split: ``("cba", "test")`` -> ``"delta_cba_test"``."""
    return f"{DELTA}_{metric}_{_check_split(split)}"


class MetricColumn(NamedTuple):
    """A parsed column name: ``val_cba[Access]`` -> ``("val", "cba", "Access")``."""

    split: str | None
    metric: str
    target_class: str | None

    @property
    def key(self) -> str:
        """The flat key, without the split: ``cba[Access]``."""
        return metric_column(self.metric, self.target_class)


def parse_metric_column(column: str) -> MetricColumn:
    """The inverse of :func:`metric_column`: split (or None), metric and class (or None).

    A class name may hold any character, brackets included: the class is everything between the
    first ``[`` and the final ``]``.
    """
    split: str | None = None
    rest = column
    for name in SPLITS:
        if column.startswith(f"{name}_"):
            split, rest = name, column[len(name) + 1 :]
            break
    bracket = rest.find("[")
    if bracket > 0 and rest.endswith("]"):
        return MetricColumn(split, rest[:bracket], rest[bracket + 1 : -1])
    return MetricColumn(split, rest, None)


def strip_split(column: str, split: str) -> str | None:
    """The flat key of a ``split`` column (``val_cr[Access]`` -> ``cr[Access]``); None for other columns."""
    prefix = f"{_check_split(split)}_"
    return column[len(prefix) :] if column.startswith(prefix) else None


def class_columns(columns: Iterable[str], metric: str, split: str | None = None) -> dict[str, str]:
    """Class -> column for every per-class column of ``metric`` (on ``split``) among ``columns``, in order."""
    found: dict[str, str] = {}
    for column in columns:
        parsed = parse_metric_column(str(column))
        if parsed.split == split and parsed.metric == metric and parsed.target_class is not None:
            found.setdefault(parsed.target_class, str(column))
    return found
