"""Which configuration of a results directory to export (Ray-free): the choice and what it adds.

Three modes (``autogets export``):

- ``recommended`` (default): per target class, the experiment's recommendation for it
  (``summary.csv``: ``recommendation_kind`` ``m0`` / ``baseline`` / ``search``). A class searched
  by several strategies has one recommendation per search: the one with the largest
  ``recommended_val_delta`` (its validation gain over M0 on the objective) is taken, ties going to
  the simpler choice (M0, then a baseline, then a search) and then to the first search listed.
  Only searches of one objective are compared (``--objective``, default the config's first), since
  gains on different objectives are not comparable; test never decides. The classes' choices are
  then *combined*: every class's samples (they are labelled with different classes) are appended to
  the real rows, and ``class-weight`` applies to the whole model. A combination of two or more
  choices was never measured by the experiment; its metrics are measured at export time.
  ``--class`` restricts the export to some classes (then every other class stays as in M0).
- ``search``: one trial of one search (default: the search's best trial by validation).
- ``ensemble``: the accepted steps of an ``autogets ensemble`` run (``ensemble/<name>/result.json``),
  appended in the order the ensemble retrained them.

Each plan carries the experiment's recorded ``val_*``/``test_*`` metrics of the exported
configuration when there are any, so the export can check it fitted the same model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.errors import UserInputError
from autogets_ray.experiment.config import SearchConfig

MODES = ("recommended", "search", "ensemble")
#: Order of preference between equally good recommendations: the simpler first.
KIND_RANK = {"m0": 0, "baseline": 1, "search": 2}


@dataclass(frozen=True)
class Part:
    """One thing added to M0: a search trial's samples, a class's baseline, or an ensemble step."""

    kind: str  # "search" | "baseline" | "ensemble-step"
    target_class: str
    search_id: str = ""
    candidate_id: str = ""
    baseline: str = ""  # all-examples | duplicate | class-weight
    example_ids: tuple[int, ...] = ()
    n_added: int = 0  # duplicate: real rows drawn again
    #: val_/test_ metrics the experiment recorded for this part alone (empty: none)
    recorded: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def describe(self) -> str:
        if self.kind == "baseline":
            return f"baseline {self.baseline} of {self.target_class}"
        prefix = "ensemble step" if self.kind == "ensemble-step" else "search"
        return f"{prefix} {self.search_id} candidate {self.candidate_id}"


@dataclass
class ExportPlan:
    mode: str
    parts: list[Part]
    #: what the experiment recorded for exactly this configuration ({} when it never measured it)
    recorded: dict[str, float]
    recorded_source: str
    #: recorded val_ metrics are the holdout validation of the same fit (not fold means)
    val_comparable: bool
    #: model options of the fit beyond the config's (the trials' overrides, class weights)
    fit_options: dict[str, Any]
    #: how it was chosen: per class decisions, the search row, or the ensemble's record
    decisions: list[dict[str, Any]] = field(default_factory=list)
    ensemble: dict[str, Any] | None = None
    objective: str = ""

    @property
    def combined(self) -> bool:
        return len(self.parts) > 1 and not self.recorded


class ResultsDir:
    """The tables of an ``autogets search`` / ``matrix`` / ``quickstart`` output, read on demand."""

    def __init__(self, root: str | Path, config: SearchConfig) -> None:
        self.root = Path(root)
        self.config = config
        self._cache: dict[str, Any] = {}

    def _table(self, stem: str, why: str) -> pd.DataFrame:
        if stem not in self._cache:
            parquet, csv = self.root / f"{stem}.parquet", self.root / f"{stem}.csv"
            if parquet.is_file():
                self._cache[stem] = pd.read_parquet(parquet)
            elif csv.is_file():
                self._cache[stem] = pd.read_csv(csv)
            else:
                raise UserInputError(
                    f"{self.root} holds no {stem}.parquet, which {why}; is it a finished "
                    f"`autogets search` / `quickstart` / `matrix` output?"
                )
        return self._cache[stem]

    @property
    def summary(self) -> pd.DataFrame:
        return self._table("summary", "records each search's recommendation")

    @property
    def trials(self) -> pd.DataFrame:
        frame = self._table("trials", "records every searched candidate")
        frame["candidate_id"] = frame["candidate_id"].astype(str)
        return frame

    @property
    def baselines(self) -> pd.DataFrame:
        return self._table("baselines", "records the no-search baselines")

    def m0(self) -> dict[str, dict[str, float]]:
        path = self.root / "m0.json"
        if not path.is_file():
            raise UserInputError(f"{self.root} holds no m0.json; is it a finished experiment?")
        return json.loads(path.read_text())

    def baselines_or_empty(self) -> pd.DataFrame:
        try:
            return self.baselines
        except UserInputError:
            return pd.DataFrame(columns=["target_class", "objective", "baseline"])

    def trial(self, search_id: str, candidate_id: str) -> pd.Series:
        trials = self.trials
        in_search = trials[trials["search_id"].astype(str) == search_id]
        if in_search.empty:
            known = ", ".join(dict.fromkeys(trials["search_id"].astype(str)))
            raise UserInputError(
                f"{self.root} has no search {search_id!r}; its searches are: {known} (summary.csv)"
            )
        match = in_search[in_search["candidate_id"] == candidate_id]
        if match.empty:
            shown = ", ".join(in_search["candidate_id"].head(8))
            raise UserInputError(
                f"search {search_id!r} has no candidate {candidate_id!r}; its candidates include {shown} "
                f"(trials.parquet, column candidate_id)"
            )
        return match.iloc[0]  # a re-proposed GA candidate: its first evaluation

    def best_candidate(self, search_id: str) -> str:
        """The search's pick: summary.csv's ``best_candidate`` (what best_samples.parquet holds), else
        its best trial by validation."""
        from autogets_ray.experiment.results import best_trial

        trials = self.trials
        group = trials[trials["search_id"].astype(str) == search_id]
        if group.empty:
            self.trial(search_id, "")  # the error naming the searches
        try:
            summary = self.summary
        except UserInputError:
            summary = pd.DataFrame(columns=["search_id"])
        rows = summary[summary["search_id"].astype(str) == search_id]
        if not rows.empty and "best_candidate" in rows:
            value = rows.iloc[0]["best_candidate"]
            if isinstance(value, str) and value:
                return value
            raise UserInputError(
                f"search {search_id!r} offers no candidate (summary.csv best_candidate is empty); "
                f"name a trial with --candidate ID"
            )
        return str(best_trial(group)["candidate_id"])


def prefixed_metrics(row: pd.Series | dict[str, Any]) -> dict[str, float]:
    """The ``val_*`` / ``test_*`` metric values of a table row (finite numbers only)."""
    out = {}
    for key, value in dict(row).items():
        if str(key).startswith(("val_", "test_")) and not str(key).startswith(
            ("val_objective", "test_objective")
        ):
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isnan(number):
                out[str(key)] = number
    return out


def m0_recorded(results: ResultsDir) -> dict[str, float]:
    m0 = results.m0()
    return {f"{part}_{k}": float(v) for part in ("val", "test") for k, v in m0[part].items()}


def _example_ids(row: pd.Series) -> tuple[int, ...]:
    raw = row["example_ids"]
    values = json.loads(raw) if isinstance(raw, str) else list(raw)
    return tuple(int(v) for v in values)


def _search_part(results: ResultsDir, search_id: str, candidate_id: str, kind: str = "search") -> Part:
    row = results.trial(search_id, candidate_id)
    return Part(
        kind,
        str(row["target_class"]),
        search_id=search_id,
        candidate_id=candidate_id,
        example_ids=_example_ids(row),
        recorded=prefixed_metrics(row),
    )


def _baseline_part(results: ResultsDir, target: str, name: str) -> Part:
    table = results.baselines
    rows = table[(table["target_class"].astype(str) == target) & (table["baseline"] == name)]
    if rows.empty:
        raise UserInputError(
            f"{results.root}: baselines.parquet has no {name!r} baseline of class {target!r}, "
            f"which its summary recommends; rerun the experiment with --resume"
        )
    row = rows.iloc[0]
    return Part(
        "baseline", target, baseline=name, n_added=int(row["n_added"]), recorded=prefixed_metrics(row)
    )


def _fit_overrides(config: SearchConfig) -> dict[str, Any]:
    """The model options every trial and baseline was fitted with beyond the config's."""
    from autogets_ray.experiment.runner import _model_overrides

    return dict(_model_overrides(config))


def _class_weight_options(config: SearchConfig) -> dict[str, Any]:
    from autogets_ray.models import create_model

    return create_model(config.model.name, **config.model.options).balanced_weight_options()


def plan_search(results: ResultsDir, search_id: str, candidate_id: str | None = None) -> ExportPlan:
    """One trial of a search (default: its best by validation)."""
    candidate = candidate_id or results.best_candidate(search_id)
    part = _search_part(results, search_id, candidate)
    summary = results.summary
    row = summary[summary["search_id"].astype(str) == search_id]
    decision = {
        "search_id": search_id,
        "target_class": part.target_class,
        "candidate_id": candidate,
        "chosen_as": "the search's best trial by validation"
        if candidate_id is None
        else "named by --candidate",
    }
    if not row.empty:
        first = row.iloc[0]
        decision.update(
            strategy=str(first["strategy"]),
            objective=str(first["objective"]),
            trials=int(first["trials"]),
            recommendation=str(first.get("recommendation", "")),
            recommendation_reason=str(first.get("recommendation_reason", "")),
        )
    return ExportPlan(
        "search",
        [part],
        part.recorded,
        f"trials.parquet: search {search_id}, candidate {candidate}",
        results.config.evaluation.scheme == "holdout",
        _fit_overrides(results.config),
        [decision],
        objective=str(decision.get("objective", "")),
    )


def _pick(rows: pd.DataFrame) -> pd.Series:
    """A class's recommendation: the largest validation gain, then the simpler kind, then the first."""
    ranked = rows.assign(
        _gain=rows["recommended_val_delta"].astype(float).fillna(0.0),
        _rank=rows["recommendation_kind"].map(KIND_RANK).fillna(9),
        _order=range(len(rows)),
    ).sort_values(["_gain", "_rank", "_order"], ascending=[False, True, True], kind="stable")
    return ranked.iloc[0]


def plan_recommended(
    results: ResultsDir, classes: tuple[str, ...] | list[str] = (), objective: str | None = None
) -> ExportPlan:
    """Every (or each named) target class's recommendation, combined (module docstring)."""
    summary = results.summary
    needed = {"recommendation", "recommendation_kind", "recommended_val_delta"}
    if not needed <= set(summary.columns):
        raise UserInputError(
            f"{results.root}: summary.parquet records no recommendation (columns "
            f"{', '.join(sorted(needed - set(summary.columns)))} missing: written by an older "
            f"autogets-ray); export one trial with --search SEARCH_ID"
        )
    objectives = list(dict.fromkeys(summary["objective"].astype(str)))
    objective = objective or next((o for o in results.config.objectives if o in objectives), objectives[0])
    if objective not in objectives:
        raise UserInputError(
            f"--objective {objective!r}: {results.root} searched the objective(s) {', '.join(objectives)} only"
        )
    searched = list(dict.fromkeys(summary["target_class"].astype(str)))
    unknown = [c for c in classes if c not in searched]
    if unknown:
        raise UserInputError(
            f"--class {unknown[0]!r} was not searched in {results.root}; its target classes are: "
            f"{', '.join(searched)}"
        )
    chosen_classes = [c for c in searched if not classes or c in classes]
    parts: list[Part] = []
    decisions = []
    for target in chosen_classes:
        rows = summary[(summary["target_class"].astype(str) == target) & (summary["objective"] == objective)]
        pick = _pick(rows)
        kind = str(pick["recommendation_kind"])
        decisions.append(
            {
                "target_class": target,
                "objective": objective,
                "search_id": str(pick["search_id"]),
                "recommendation": str(pick["recommendation"]),
                "recommendation_kind": kind,
                "recommended_val_delta": float(pick["recommended_val_delta"]),
                "recommended_test_delta": float(pick.get("recommended_test_delta", math.nan)),
                "recommendation_reason": str(pick.get("recommendation_reason", "")),
                "searches_compared": int(len(rows)),
            }
        )
        if kind == "search":
            parts.append(_search_part(results, str(pick["search_id"]), str(pick["recommendation"])))
        elif kind == "baseline":
            name = str(pick["recommendation"]).removeprefix("use-")
            if name == "class-weight" and any(p.baseline == "class-weight" for p in parts):
                continue  # one model option, whichever classes recommend it
            parts.append(_baseline_part(results, target, name))
        elif kind != "m0":
            raise UserInputError(f"{results.root}: summary.csv has an unknown recommendation_kind {kind!r}")
    fit_options: dict[str, Any] = _fit_overrides(results.config) if parts else {}
    if any(p.baseline == "class-weight" for p in parts):
        fit_options.update(_class_weight_options(results.config))
    if not parts:
        recorded, source, comparable = m0_recorded(results), "m0.json (M0)", True
    elif len(parts) == 1:
        part = parts[0]
        recorded, source = (
            part.recorded,
            (
                f"trials.parquet: search {part.search_id}, candidate {part.candidate_id}"
                if part.kind == "search"
                else f"baselines.parquet: {part.baseline} of {part.target_class}"
            ),
        )
        comparable = results.config.evaluation.scheme == "holdout"
    else:
        recorded, source, comparable = {}, "", False
    return ExportPlan(
        "recommended", parts, recorded, source, comparable, fit_options, decisions, objective=objective
    )


def ensemble_names(root: Path) -> list[str]:
    base = root / "ensemble"
    return sorted(p.name for p in base.iterdir() if (p / "result.json").is_file()) if base.is_dir() else []


def plan_ensemble(results: ResultsDir, name: str) -> ExportPlan:
    """The accepted steps of ``ensemble/<name>``, in the order its retrain appended them."""
    path = results.root / "ensemble" / name / "result.json"
    if not path.is_file():
        known = ensemble_names(results.root)
        hint = f"its ensembles are: {', '.join(known)}" if known else "run `autogets ensemble` first"
        raise UserInputError(f"{results.root} has no ensemble {name!r} ({path} missing); {hint}")
    result = json.loads(path.read_text())
    steps = result.get("steps", [])
    parts = [
        _search_part(results, str(s["search_id"]), str(s["candidate_id"]), kind="ensemble-step")
        for s in steps
    ]
    # The ensemble's retrain: one step per (class, set of source examples), sorted by that identity.
    by_identity = {(p.target_class, tuple(sorted(set(p.example_ids)))): p for p in parts}
    ordered = [by_identity[key] for key in sorted(by_identity)]
    recorded, source = m0_recorded(results), "m0.json (the ensemble accepted no step)"
    steps_csv = path.parent / "steps.csv"
    if parts and steps_csv.is_file():
        table = pd.read_csv(steps_csv)
        accepted = table[(table["method"] == "ensemble") & table["accepted"].astype(bool)]
        if not accepted.empty:
            recorded = prefixed_metrics(accepted.iloc[-1])
            source = f"ensemble/{name}/steps.csv: iteration {int(accepted.iloc[-1]['iteration'])}"
    elif parts:
        recorded, source = {}, ""
    record = {
        "name": name,
        "requirement": result.get("requirement"),
        "parameters": result.get("parameters", {}),
        "steps": steps,
        "termination": result.get("termination"),
    }
    return ExportPlan(
        "ensemble",
        ordered,
        recorded,
        source,
        True,
        {},  # the ensemble retrains with the config's model options only
        [{"ensemble": name, **s} for s in steps],
        ensemble=record,
    )
