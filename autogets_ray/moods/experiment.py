"""Paper Table 2 / Table 4 for one dataset: every method x seeded run, written as CSV files.

Run r uses seed ``seed + r`` for its split, the MLP initialisation, SMOTE / SVM-SMOTE and the MOODS
draws, so all methods of a run share the split and the initial weights. Each finished
(method, run) is stored under ``out/rows/`` at once: calling again with the same ``out`` skips
what is done and resumes an interrupted MOODS search from its Ray Tune experiment.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd

from autogets_ray.data.tabular import TabularData
from autogets_ray.errors import SearchInterrupted, UserInputError
from autogets_ray.moods.baselines import BASELINES, MethodResult, mubo_settings, outcome_result
from autogets_ray.moods.core import MoodsOutcome, MoodsSettings
from autogets_ray.moods.eps_delta import eps_delta
from autogets_ray.moods.local import read_pickle, run_moods_local, write_pickle
from autogets_ray.moods.mlp import MLPConfig
from autogets_ray.moods.options import ENGINES, MoodsOptions, default, methods, option_name
from autogets_ray.moods.plots import plot_z_histograms
from autogets_ray.moods.split import TabularSplit, split_tabular
from autogets_ray.progress import Progress
from autogets_ray.resources import ResourcesConfig

METHODS = methods()
RESULT_COLUMNS = [
    "dataset",
    "method",
    "run",
    "f1",
    "f1_minority",
    "f1_majority",
    "val_f1",
    "val_f1_minority",
    "seconds",
    "compute_seconds",
    "train_rows",
    "evaluations",
    "steps_per_round",
    "engine",
    "validation_folds",
]


@dataclass(frozen=True)
class ExperimentSpec:
    """What to run: methods, runs and the settings every run shares (defaults: :mod:`.options`)."""

    methods: tuple[str, ...] = METHODS
    runs: int = default("runs")
    seed: int = default("seed")
    settings: MoodsSettings = field(default_factory=lambda: MoodsOptions().settings())
    mlp: MLPConfig = field(default_factory=lambda: MoodsOptions().mlp())
    engine: str = default("engine")
    plot: bool = default("plot")
    validation_folds: int = default("validation_folds")
    resources: ResourcesConfig = field(default_factory=ResourcesConfig)

    def __post_init__(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown:
            raise UserInputError(f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
        if not self.methods:
            raise UserInputError("choose at least one method")
        if self.runs < 1:
            raise UserInputError(f"--runs must be >= 1, got {self.runs}")
        if self.engine not in ENGINES:
            raise UserInputError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")


def _row_file(out: Path, kind: str, method: str, run: int) -> Path:
    return out / "rows" / f"{kind}_{method}_run{run}.json"


#: Methods whose run is a bilevel search (Alg. 1): on the Ray engine their steps are Tune trials.
SEARCH_METHODS = ("moods", "mubo")


def _search_settings(method: str, spec: ExperimentSpec) -> MoodsSettings:
    return spec.settings if method == "moods" else mubo_settings(spec.settings)


def _local_outcome(
    method: str, split: TabularSplit, spec: ExperimentSpec, seed: int, out: Path, run: int, progress: Progress
) -> MoodsOutcome:
    cached = out / "local" / f"{method}_run{run}.pkl"
    finished = read_pickle(cached)
    if finished is not None:
        return finished

    def report(core) -> None:
        h = core.history[-1]
        progress.info(
            f"{method} run {run} round {h.round}: val F1 {core.state.val.f1:.3f} / minority "
            f"{core.state.val.f1_minority:.3f}, accepted {core.accepted}, evaluations {core.evaluations}"
        )

    rounds = out / "local" / f"{method}_run{run}.rounds.pkl"  # resumes a killed run (moods/local.py)
    outcome = run_moods_local(
        split,
        _search_settings(method, spec),
        spec.mlp,
        seed,
        on_round=report if method == "moods" else None,
        checkpoint=rounds,
    )
    write_pickle(outcome, cached)
    rounds.unlink(missing_ok=True)
    return outcome


def _ray_outcomes(
    todo: list[tuple[str, int]],
    splits: dict[int, TabularSplit],
    spec: ExperimentSpec,
    out: Path,
    progress: Progress,
    name: str,
) -> tuple[dict[tuple[str, int], MoodsOutcome], float]:
    """Every (method, run) search of ``todo`` on one Tuner; returns the outcomes and the wall seconds."""
    from autogets_ray.moods.tune_run import MoodsRun, run_moods_tune
    from autogets_ray.ray_session import ensure_ray

    ensure_ray(progress=progress)
    runs = [
        MoodsRun(f"{method}_run{run}", splits[run], _search_settings(method, spec), spec.seed + run)
        for method, run in todo
    ]
    start = time.perf_counter()
    with progress.step(f"{len(runs)} search(es) on Ray Tune ({', '.join(r.run_id for r in runs)})"):
        try:
            outcomes = run_moods_tune(
                runs, spec.mlp, out / "tune", name=name, progress=progress, resources=spec.resources
            )
        except SearchInterrupted as exc:
            raise SearchInterrupted(
                str(exc),
                out=str(out),
                resume_hint=(
                    f"rerun the same command with --out {out} to continue (finished steps and runs are kept)"
                ),
            ) from exc
    wall = time.perf_counter() - start
    return {key: outcomes[run.run_id] for key, run in zip(todo, runs)}, wall


def _result_row(dataset: str, method: str, run: int, result: MethodResult, spec: ExperimentSpec) -> dict:
    return {
        "dataset": dataset,
        "method": method,
        "run": run,
        **result.test.as_dict(),
        "val_f1": result.val.f1,
        "val_f1_minority": result.val.f1_minority,
        "seconds": result.seconds,
        "compute_seconds": result.extra.get("compute_seconds", result.seconds),
        "train_rows": result.extra.get("train_rows", len(result.y_train)),
        "evaluations": result.extra.get("evaluations", 1),
        "steps_per_round": spec.settings.steps_per_round if method == "moods" else 0,
        "engine": spec.engine if method in SEARCH_METHODS else "local",
        "validation_folds": spec.validation_folds,
    }


def _run_here(
    method: str, split: TabularSplit, spec: ExperimentSpec, seed: int, out: Path, run: int, progress: Progress
) -> MethodResult:
    """A method in this process: a baseline fit, or a search on the local engine."""
    with progress.step(f"{split.dataset} run {run + 1}/{spec.runs}: {method}"):
        if method not in SEARCH_METHODS:
            return BASELINES.create(method, split, spec.mlp, seed, spec.settings)
        start = time.perf_counter()
        outcome = _local_outcome(method, split, spec, seed, out, run, progress)
        return outcome_result(split, outcome, time.perf_counter() - start)


def _done(out: Path, method: str, run: int) -> bool:
    if not _row_file(out, "result", method, run).exists():
        return False
    return method != "moods" or _row_file(out, "eps", method, run).exists()


def run_moods_experiment(
    data: TabularData,
    out: str | Path,
    spec: ExperimentSpec,
    progress: Progress | None = None,
    only_runs: tuple[int, ...] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``results.csv`` (one row per method and run), ``eps_delta.csv`` (MOODS runs),
    ``moods_history.csv`` (every candidate step) and ``z_hist_run<r>.png``; return both tables.

    On the Ray engine every MOODS and MUBO run of the call shares one Tuner (their steps run side by
    side); a row's ``seconds`` is then its share of that Tuner's wall-clock (wall / searches) and
    ``compute_seconds`` the sum of its steps' fit times. ``only_runs`` restricts this call to some
    runs, in that order (e.g. to share one ``out`` between processes); the tables cover every
    finished run."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_same_experiment(out, data.name, spec)
    progress = progress or Progress(prefix="moods")
    bad = [r for r in (only_runs or ()) if not 0 <= r < spec.runs]
    if bad:
        raise ValueError(f"runs {bad} are outside 0..{spec.runs - 1}")
    run_ids = list(range(spec.runs) if only_runs is None else only_runs)
    splits = {run: split_tabular(data, seed=spec.seed + run, folds=spec.validation_folds) for run in run_ids}
    searched: dict[tuple[str, int], MoodsOutcome] = {}
    share = 0.0
    if spec.engine == "ray":
        todo = [(m, r) for r in run_ids for m in spec.methods if m in SEARCH_METHODS and not _done(out, m, r)]
        if todo:
            name = "moods" if only_runs is None else "moods_runs" + "-".join(map(str, run_ids))
            searched, wall = _ray_outcomes(todo, splits, spec, out, progress, name)
            share = wall / len(todo)
    for run in run_ids:
        seed, split = spec.seed + run, splits[run]
        progress.info(f"{data.name} run {run + 1}/{spec.runs} (seed {seed}): {split.sizes()}")
        none_result: MethodResult | None = None
        for method in spec.methods:
            if _done(out, method, run):
                continue
            if (method, run) in searched:
                result = outcome_result(split, searched[(method, run)], share)
            else:
                result = _run_here(method, split, spec, seed, out, run, progress)
            _write_json(
                _row_file(out, "result", method, run), _result_row(data.name, method, run, result, spec)
            )
            progress.info(
                f"{method} run {run}: test F1 {result.test.f1:.3f} (minority {result.test.f1_minority:.3f})"
            )
            if method == "none":
                none_result = result
            if method == "moods":
                none_result = none_result or BASELINES.create("none", split, spec.mlp, seed, spec.settings)
                _write_eps_delta(out, data.name, run, none_result, result, spec.plot)
                _write_history(out, run, result.extra["outcome"])
        results, eps = _collect(out, "result"), _collect(out, "eps")  # partial tables after every run
    return results, eps


#: What an ``out`` folder's results depend on, kept in it so that a rerun cannot mix settings.
EXPERIMENT_FILE = "experiment.json"


def _identity(dataset: str, spec: ExperimentSpec) -> dict[str, object]:
    """The settings a run's numbers depend on (not methods, runs, engine or where fits run)."""
    mlp = {k: v for k, v in spec.mlp.as_dict().items() if k not in ("threads", "device")}
    return {
        "dataset": dataset,
        "seed": spec.seed,
        "validation_folds": spec.validation_folds,
        "settings": asdict(spec.settings),
        "mlp": json.loads(json.dumps(mlp)),
    }


def _check_same_experiment(out: Path, dataset: str, spec: ExperimentSpec) -> None:
    """Resuming adds runs and methods; a rerun with other settings would mix two experiments."""
    path = out / EXPERIMENT_FILE
    identity = _identity(dataset, spec)
    if not path.exists():
        _write_json(path, identity)
        return
    flat_now = _flatten(identity)
    # a setting added after the file was written ran at its default then
    flat_before = {**_flatten(_identity(dataset, ExperimentSpec())), **_flatten(json.loads(path.read_text()))}
    changed = sorted(k for k in flat_before.keys() | flat_now.keys() if flat_before.get(k) != flat_now.get(k))
    if changed:
        details = ", ".join(
            f"{option_name(k.split('.')[-1])} {flat_before.get(k)!r} -> {flat_now.get(k)!r}" for k in changed
        )
        raise UserInputError(
            f"{out} holds results of another MOODS experiment ({details}, recorded in {path}); "
            "use a new --out, or the same options to resume"
        )


def _flatten(values: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _write_eps_delta(
    out: Path, dataset: str, run: int, original: MethodResult, moods: MethodResult, plot: bool
) -> None:
    metric = eps_delta(original.z_train, original.y_train, moods.z_train, moods.y_train)
    _write_json(_row_file(out, "eps", "moods", run), {"dataset": dataset, "run": run, **metric.as_dict()})
    if plot:
        plot_z_histograms(
            original.z_train,
            original.y_train,
            moods.z_train,
            moods.y_train,
            out / f"z_hist_run{run}.png",
            title=f"{dataset} run {run}",
        )


def _write_history(out: Path, run: int, outcome: MoodsOutcome) -> None:
    frame = pd.DataFrame([vars(h) for h in outcome.history])
    frame.insert(0, "run", run)
    frame["stop_reason"] = outcome.stop_reason
    frame.to_csv(out / "rows" / f"history_run{run}.csv", index=False)


def _write_json(path: Path, row: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, default=float))


def _collect(out: Path, kind: str) -> pd.DataFrame:
    rows = [json.loads(p.read_text()) for p in sorted((out / "rows").glob(f"{kind}_*.json"))]
    frame = pd.DataFrame(rows)
    if kind == "result" and not frame.empty:
        frame = frame.reindex(columns=RESULT_COLUMNS).sort_values(["method", "run"]).reset_index(drop=True)
        frame.to_csv(out / "results.csv", index=False)
    elif kind == "eps":
        frame = frame.sort_values("run").reset_index(drop=True) if not frame.empty else frame
        frame.to_csv(out / "eps_delta.csv", index=False)
        histories = sorted((out / "rows").glob("history_run*.csv"))
        if histories:
            pd.concat([pd.read_csv(p) for p in histories]).to_csv(out / "moods_history.csv", index=False)
    return frame


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd of test F1 per method (paper Table 2 cells) and mean seconds per run."""
    grouped = results.groupby("method")
    return pd.DataFrame(
        {
            "f1_mean": grouped["f1"].mean(),
            "f1_sd": grouped["f1"].std(ddof=1).fillna(0.0),
            "f1_minority": grouped["f1_minority"].mean(),
            "f1_majority": grouped["f1_majority"].mean(),
            "seconds": grouped["seconds"].mean(),
            "runs": grouped.size(),
        }
    )


def with_steps(spec: ExperimentSpec, steps_per_round: int) -> ExperimentSpec:
    return replace(spec, settings=replace(spec.settings, steps_per_round=steps_per_round))
