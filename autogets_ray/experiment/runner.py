"""Run an AutoGeTS experiment: every (target class x strategy x objective) search on one Tuner.

Each search has its own strategy core, seed and retrain-time budget; the engine's interleaver
(:mod:`autogets_ray.engine`) asks them in fair-share order (fewest projected retrain seconds first),
so every trial slot of the cluster stays busy while a search waits for its HSW level or GA
generation; a single search is the one-core case. Every finished trial is journaled at once; a
rerun into the same ``--out`` with the same configuration replays the journal (no finished trial is
trained again, cached LLM generations are not regenerated) and runs only what is left.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import Split, load_or_create_split
from autogets_ray.errors import SearchInterrupted, UserInputError
from autogets_ray.experiment.config import SearchConfig, check_output_config, write_output_config
from autogets_ray.experiment.comparison import method_deltas
from autogets_ray.experiment.context import ExperimentContext, context_for, training_texts
from autogets_ray.experiment.pareto import (
    FIGURE_FILE,
    FRONT_FILE,
    HYPERVOLUME_FILE,
    FrontChooser,
    pareto_tables,
    plot_pareto_fronts,
)
from autogets_ray.experiment.results import best_trial, plot_trajectories, summary, trajectory
from autogets_ray.progress import Progress
from autogets_ray.ray_session import ensure_ray, joined_cluster

#: The Tune experiment (under storage_path) that runs every search of an output directory.
EXPERIMENT_NAME = "searches"


@dataclass(frozen=True)
class SearchSpec:
    search_id: str
    target_class: str
    strategy: str
    objective: str  # the one objective; a Pareto search's first (what its progress lines show)
    seed: int
    #: a Pareto search's objectives (``mode: pareto``); empty for a single-objective search
    objectives: tuple[str, ...] = ()


@dataclass
class ExperimentResult:
    out: Path
    trials: pd.DataFrame
    summary: pd.DataFrame
    trajectory: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    baselines: pd.DataFrame | None = None
    #: a Pareto experiment's per-search front summary (``pareto_summary.csv``); None otherwise
    pareto: pd.DataFrame | None = None


BASELINES_FILE = "baselines.parquet"
BASELINES_CSV = "baselines.csv"


def _baselines(
    config: SearchConfig,
    context: ExperimentContext,
    targets: list[str],
    llm_service: Any,
    out: Path,
    progress: Progress,
) -> pd.DataFrame:
    """The no-search baselines of every target class, computed once (a rerun reads them back)."""
    import ray

    from autogets_ray.experiment.baselines import baselines_frame, score_baselines

    path = out / BASELINES_FILE
    if path.exists():
        frame = pd.read_parquet(path)
        if set(frame["target_class"].astype(str)) >= set(targets) or frame.empty:
            return frame
    seeds = {t: derived_seed(config.seed, t, "duplicate") for t in targets}
    scores = score_baselines(
        context,
        targets,
        config.baselines,
        lambda ex: ray.get(llm_service.generate.remote(ex)),
        seeds,
        dict(_model_overrides(config)),
        progress,
    )
    frame = baselines_frame(scores, config.objectives)
    frame.to_parquet(path, index=False)
    frame.to_csv(out / BASELINES_CSV, index=False)
    if not frame.empty:
        shown = frame[frame["objective"] == config.objectives[0]]
        progress.info(
            "no-search baselines (validation "
            + config.objectives[0]
            + "): "
            + "; ".join(
                f"{t}: " + ", ".join(f"{b} {v:.4f}" for b, v in zip(g["baseline"], g["val_objective"]))
                for t, g in shown.groupby("target_class", sort=False)
            )
        )
    return frame


def derived_seed(seed: int, *parts: str) -> int:
    """A stable per-search seed (Python's ``hash`` is salted per process; this is not)."""
    digest = hashlib.sha256("\x1f".join([str(seed), *parts]).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def resolve_targets(spec: list[str] | str, split: Split) -> list[str]:
    """Class names, ``"all"`` (largest first) or ``"smallest:N"``."""
    sizes = split.class_sizes()  # largest first
    if isinstance(spec, str):
        if spec == "all":
            return list(sizes.index)
        match = re.fullmatch(r"smallest:(\d+)", spec)
        if not match:
            raise UserInputError(f"target_classes: {spec!r} is not a list of classes, 'all' or 'smallest:N'")
        n = int(match.group(1))
        return list(sizes.index[::-1][:n])
    for name in spec:
        split.class_code(str(name))
    return [str(n) for n in spec]


#: The objective part of a Pareto search's id (``<class>-ga-pareto``).
PARETO = "pareto"


def plan_searches(config: SearchConfig, targets: list[str]) -> list[SearchSpec]:
    """One search per class x strategy x objective; with ``mode: pareto`` one per class x strategy."""
    specs = []
    pareto = config.mode == PARETO
    for target in targets:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", target).strip("_")
        for strategy in config.strategies:
            for objective in [PARETO] if pareto else config.objectives:
                specs.append(
                    SearchSpec(
                        f"{slug}-{strategy}-{objective}",
                        target,
                        strategy,
                        config.objectives[0] if pareto else objective,
                        derived_seed(config.seed, target, strategy, objective),
                        tuple(config.objectives) if pareto else (),
                    )
                )
    return specs


def _create_core(spec: SearchSpec, config: SearchConfig, context: ExperimentContext) -> Any:
    from autogets_ray.search import create_core
    from autogets_ray.search.pareto_ga import create_pareto_core

    problem = _search_problem(spec, config, context)
    params = config.strategy_params.get(spec.strategy, {})
    if spec.objectives:
        return create_pareto_core(spec.strategy, problem, spec.seed, spec.objectives, **params)
    return create_core(spec.strategy, problem, seed=spec.seed, **params)


def _model_overrides(config: SearchConfig) -> tuple[tuple[str, Any], ...]:
    if config.model.name != "catboost":
        return ()
    overrides: dict[str, Any] = {"thread_count": max(1, int(config.resources.cpu))}
    if config.resources.gpu > 0:
        overrides["gpu_share"] = min(1.0, float(config.resources.gpu))
    else:
        overrides["device"] = "cpu"
    return tuple(sorted(overrides.items()))


def _search_problem(spec: SearchSpec, config: SearchConfig, context: ExperimentContext) -> Any:
    from autogets_ray.search import SearchProblem

    rows = context.class_rows(spec.target_class)
    return SearchProblem(
        target_class=spec.target_class,
        example_ids=context.train_row_ids[rows],
        coords=context.coords_train[rows],
        all_coords=context.coords_train,
        class_sizes=context.class_sizes(),
        budget_seconds=config.budget_seconds,
        max_candidates=config.max_candidates,
    )


def _run_searches(
    specs: list[SearchSpec],
    config: SearchConfig,
    context: ExperimentContext,
    context_ref: Any,
    llm_service: Any,
    out: Path,
    progress: Progress,
) -> pd.DataFrame:
    """Every search on one Tuner through the engine; finished trials come from the journal."""
    from ray import tune

    from autogets_ray.engine.interleave import Interleaver
    from autogets_ray.engine.journal import JOURNAL_FILE, TrialJournal
    from autogets_ray.engine.run import run_searches, short_trial_dirname
    from autogets_ray.engine.searcher import JournaledSearcher
    from autogets_ray.experiment.search_hooks import AutoGetsHooks
    from autogets_ray.experiment.trial import TrialSettings, retrain_trial

    settings = TrialSettings(llm_service, context_ref, _model_overrides(config))
    trainable = tune.with_resources(
        tune.with_parameters(retrain_trial, settings=settings), config.resources.as_ray()
    )
    m0_values = {s.search_id: context.m0_score.val.objective(s.objective, s.target_class) for s in specs}
    cores = {s.search_id: _create_core(s, config, context) for s in specs}
    tags = {
        s.search_id: {"strategy": s.strategy, "target_class": s.target_class, "objective": s.objective}
        for s in specs
    }
    journal = TrialJournal(out / JOURNAL_FILE)
    storage = config.storage_path or str((out / "ray").resolve())
    with progress.trial_board() as board:
        hooks = AutoGetsHooks(m0_values, (out / "searches").resolve(), progress, board)
        hooks.watch(cores)
        searcher = JournaledSearcher(
            Interleaver(cores, tags, priority=_projected_seconds),
            journal,
            decode=_decode_outcome,
            metric="objective",
            hooks=hooks,
        )
        run = run_searches(
            trainable,
            searcher,
            name=EXPERIMENT_NAME,
            storage_path=storage,
            max_concurrent_trials=config.max_concurrent_trials,
            progress=progress,
            time_budget_s=config.wall_clock_seconds,
            trial_dirname_creator=short_trial_dirname,
        )
    if run.interrupted:
        raise SearchInterrupted(
            f"the experiment in {out} was interrupted; its finished trials are in {journal.path}",
            out=str(out),
        )
    entries = journal.results([s.search_id for s in specs])
    if not entries:
        raise UserInputError(
            f"the experiment finished no trial; the first trial error: "
            f"{_first_error(run.grid)} (all of them under {storage}/{EXPERIMENT_NAME})"
        )
    return _trials_frame([_record(e) for e in entries])


def _projected_seconds(core: Any) -> float:
    """Fair share: the search with the fewest projected retrain seconds asks first."""
    return core.projected_seconds


def _decode_outcome(result: dict[str, Any]) -> Any:
    from autogets_ray.search import outcome_from_result

    return outcome_from_result(result, "objective", "val")


def _first_error(grid: Any) -> str:
    """The last line of the first errored trial's traceback (what a user can act on)."""
    for result in grid or ():
        if result.error is not None:
            lines = [line for line in str(result.error).strip().splitlines() if line.strip()]
            return lines[-1] if lines else type(result.error).__name__
    return "none recorded"


def _record(entry: dict[str, Any]) -> dict[str, Any]:
    """One trials-table row from a journal entry: the reported scalars and the candidate's subset."""
    record = {k: v for k, v in entry["result"].items() if not isinstance(v, (dict, list))}
    record["example_ids"] = json.dumps(list(entry["config"].get("example_ids", [])))
    record["info"] = json.dumps(entry["config"].get("info", {}), default=str)
    record["session"] = int(entry["attempt"])
    return record


def _trials_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    # Tune's "objective" (the value the searcher maximises) becomes val_objective; "objective" then
    # names the objective, as in every other table.
    frame = frame.rename(columns={"objective": "val_objective"}).rename(
        columns={"objective_name": "objective"}
    )
    frame["candidate_id"] = frame["candidate_id"].astype(str)
    first = ["search_id", "strategy", "target_class", "objective"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    frame["completed_order"] = frame.groupby("search_id").cumcount()  # journal order
    # The table's order is the searches' own proposal order, so a resumed run's equals a fresh one's.
    order = {sid: i for i, sid in enumerate(dict.fromkeys(frame["search_id"]))}
    frame = frame.assign(_search=frame["search_id"].map(order))
    frame = frame.sort_values(["_search", "proposal_index"], kind="stable").drop(columns="_search")
    return frame.reset_index(drop=True)


def _best_samples(
    trials: pd.DataFrame, service: Any, context: ExperimentContext, choose: Any = best_trial
) -> pd.DataFrame:
    """The synthetic samples of each search's pick (``choose``; served from the LLM cache)."""
    import ray

    from autogets_ray.llm import Example

    frames = []
    for search_id, group in trials.groupby("search_id", sort=False):
        best = choose(group)
        if best is None:
            continue
        ids = json.loads(best["example_ids"])
        examples = [Example(example_id=i, text=context.text_of(i), label=best["target_class"]) for i in ids]
        samples = ray.get(service.generate.remote(examples)).samples.copy()
        samples.insert(0, "search_id", search_id)
        samples.insert(1, "candidate_id", str(best["candidate_id"]))
        frames.append(samples)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_experiment(
    config: SearchConfig, out: str | Path, resume: bool = False, progress: Progress | None = None
) -> ExperimentResult:
    import ray

    from autogets_ray.llm import GenerationConfig, get_llm_service

    progress = progress or Progress()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check_output_config(config, out, resume)
    ds = config.dataset
    request = DatasetRequest(
        ds.name,
        ds.data_dir,
        ds.text_column,
        ds.label_column,
        ds.encoding,
        min_class_size=ds.min_class_size,
        drop_small_classes=ds.drop_small_classes,
        drop_invalid_rows=ds.drop_invalid_rows,
    )
    with progress.step(f"loading {ds.name} and its split"):
        split = load_or_create_split(out, load_dataset(request), seed=ds.split_seed, dataset=ds.name)
    targets = resolve_targets(config.target_classes, split)
    specs = plan_searches(config, targets)
    ensure_ray(progress=progress)
    config.resources.check_grantable(
        ray.cluster_resources(), "resources (config)", strict=not joined_cluster()
    )
    write_output_config(config, out)
    # Keep this handle for the whole run: a named actor dies with its last reference.
    llm_service = get_llm_service(GenerationConfig.from_dict(config.llm), training_texts(split))
    validation_only = config.evaluation.scheme != "holdout" and ray.get(llm_service.uses_class_texts.remote())
    if validation_only:
        progress.info(
            f"evaluation {config.evaluation.scheme}: the {config.llm.get('backend')} generator learns "
            f"from every training text, so the folds score validation rows only"
        )
    context = context_for(
        config, split, progress, evaluation=config.evaluation, validation_only=validation_only
    )
    (out / "m0.json").write_text(
        json.dumps(
            {
                "val": context.m0_val.flat(),
                "test": context.m0_test.flat(),
                "fit_seconds": context.m0_fit_seconds,
                "evaluation": {**asdict(config.evaluation), "validation_only": validation_only},
                "scheme_val": context.m0_score.val.flat(),
            },
            indent=2,
        )
    )
    context_ref = ray.put(context)
    baselines = _baselines(config, context, targets, llm_service, out, progress)
    progress.info(
        f"{len(specs)} searches: classes {', '.join(targets)} x strategies "
        f"{', '.join(config.strategies)} x "
        + (
            f"one Pareto front of {', '.join(config.objectives)}"
            if config.mode == PARETO
            else f"objectives {', '.join(config.objectives)}"
        )
        + f", interleaved on one Tuner, {config.max_concurrent_trials} trials at a time"
    )

    trials = _run_searches(specs, config, context, context_ref, llm_service, out, progress)
    for search_id, frame in trials.groupby("search_id", sort=False):
        (out / "searches" / str(search_id)).mkdir(parents=True, exist_ok=True)
        frame.to_parquet(out / "searches" / str(search_id) / "trials.parquet", index=False)
    traj = trajectory(trials)
    choose = FrontChooser(config.objectives, context.m0_score) if config.mode == PARETO else best_trial
    table = summary(trials, context.m0_score, baselines, config.evaluation.margin_se, choose)
    method_deltas(table, baselines).to_csv(out / "comparison.csv", index=False)
    files = {
        "trials": out / "trials.parquet",
        "summary_csv": out / "summary.csv",
        "summary_parquet": out / "summary.parquet",
        "trajectory": out / "trajectory.parquet",
        "trajectory_png": out / "trajectories.png",
        "best_samples": out / "best_samples.parquet",
    }
    trials.to_parquet(files["trials"], index=False)
    table.to_csv(files["summary_csv"], index=False)
    table.to_parquet(files["summary_parquet"], index=False)
    traj.to_parquet(files["trajectory"], index=False)
    m0 = {
        (s.target_class, s.objective): context.m0_score.val.objective(s.objective, s.target_class)
        for s in specs
    }
    plot_trajectories(traj, files["trajectory_png"], m0)
    _best_samples(trials, llm_service, context, choose).to_parquet(files["best_samples"], index=False)
    pareto = None
    if config.mode == PARETO:
        pareto, pareto_files = _write_pareto(trials, config.objectives, context, out)
        files.update(pareto_files)
    files.update(
        baselines_csv=out / BASELINES_CSV,
        baselines_parquet=out / BASELINES_FILE,
        comparison=out / "comparison.csv",
    )
    return ExperimentResult(out, trials, table, traj, files, baselines, pareto)


def _write_pareto(
    trials: pd.DataFrame, objectives: list[str], context: ExperimentContext, out: Path
) -> tuple[pd.DataFrame, dict[str, Path]]:
    """``pareto_front.csv``, ``pareto_summary.csv`` and ``pareto_front.png`` of a Pareto experiment."""
    front, hypervolumes = pareto_tables(trials, objectives, context.m0_score)
    files = {"pareto_front": out / FRONT_FILE, "pareto_summary": out / HYPERVOLUME_FILE}
    front.to_csv(files["pareto_front"], index=False)
    hypervolumes.to_csv(files["pareto_summary"], index=False)
    files["pareto_png"] = plot_pareto_fronts(trials, front, hypervolumes, out / FIGURE_FILE)
    return hypervolumes, files


SPLIT_SUMMARY = "split_summary"


@dataclass
class SplitsResult:
    """An experiment repeated on several train/val/test splits (``split_seeds``)."""

    out: Path
    runs: dict[int, ExperimentResult]
    table: pd.DataFrame  # comparison.across_splits: mean and 95% interval of each method's test change
    files: dict[str, Path] = field(default_factory=dict)


def split_dir(out: str | Path, seed: int) -> Path:
    return Path(out) / f"split-{seed}"


def run_split_experiments(
    config: SearchConfig, out: str | Path, resume: bool = False, progress: Progress | None = None
) -> SplitsResult:
    """The experiment once per seed of ``config.split_seeds`` (``<out>/split-<seed>/``), then every
    method's test change over M0 with its interval across the splits."""
    from autogets_ray.experiment.comparison import across_splits

    if not config.split_seeds:
        raise UserInputError("split_seeds is empty: give e.g. --split-seeds 0,1,2")
    progress = progress or Progress()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check_output_config(config, out, resume)
    write_output_config(config, out)
    runs = {}
    for i, seed in enumerate(config.split_seeds, 1):
        progress.info(f"split seed {seed} ({i} of {len(config.split_seeds)}) in {split_dir(out, seed)}")
        single = config.for_split(seed)
        runs[seed] = run_experiment(single, split_dir(out, seed), resume=resume, progress=progress)
    table = across_splits({seed: method_deltas(r.summary, r.baselines) for seed, r in runs.items()})
    files = {
        "split_summary_csv": out / f"{SPLIT_SUMMARY}.csv",
        "split_summary_parquet": out / f"{SPLIT_SUMMARY}.parquet",
    }
    table.to_csv(files["split_summary_csv"], index=False)
    table.to_parquet(files["split_summary_parquet"], index=False)
    return SplitsResult(out, runs, table, files)
