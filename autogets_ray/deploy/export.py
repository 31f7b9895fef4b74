"""``autogets export``: retrain the chosen configuration of a results directory and write a model directory.

The fit is the experiment's own: :func:`~autogets_ray.experiment.context.build_context` on the
saved split (the same featuriser on the real training texts) and
:meth:`~autogets_ray.experiment.context.ExperimentContext.fit` with the chosen rows appended in the
order the experiment appended them and the same model options, so with ``refit_on="train"`` the
exported model is the fit whose metrics the experiment recorded; the export checks that on val and
test and says so in ``metadata.json`` and the model card. ``refit_on="train+val"`` then refits the
featuriser and model on train+val plus the same added rows (its validation numbers are in-sample).
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray import __version__
from autogets_ray.deploy.bundle import (
    FORMAT,
    FORMAT_VERSION,
    METADATA_FILE,
    library_versions,
    load_model,
    model_metadata,
    save_fitted,
)
from autogets_ray.deploy.samples import ROW_COLUMNS, RowSource, real_rows
from autogets_ray.deploy.selection import (
    ExportPlan,
    ResultsDir,
    m0_recorded,
    plan_ensemble,
    plan_recommended,
    plan_search,
)
from autogets_ray.errors import UserInputError
from autogets_ray.experiment.config import CONFIG_FILE, SearchConfig, read_saved_config
from autogets_ray.metrics import Evaluation, evaluate, val_test_metrics
from autogets_ray.models import create_model, stack_features
from autogets_ray.progress import Progress

REFIT_CHOICES = ("train", "train+val")
TRAINING_SET_FILE = "training_set.parquet"
CARD_FILE = "model_card.md"
#: How far a retrained metric may be from the recorded one and still count as the same fit.
REPRODUCED_TOLERANCE = 1e-12
PACKAGES = ("autogets-ray", "numpy", "scipy", "pandas", "pyarrow", "scikit-learn", "skops", "catboost")


@dataclass
class ExportResult:
    out: Path
    metadata: dict[str, Any]
    training_set: pd.DataFrame


def check_results_dir(results_dir: str | Path) -> tuple[Path, SearchConfig]:
    """The results directory and its saved config, or a UserInputError saying what is wrong."""
    root = Path(results_dir)
    if not root.is_dir():
        raise UserInputError(
            f"results directory {root} does not exist; give the --out of `autogets quickstart`, "
            f"`search` or `matrix`"
        )
    if not (root / CONFIG_FILE).is_file():
        raise UserInputError(
            f"{root} holds no experiment ({CONFIG_FILE} missing); give the --out of `autogets "
            f"quickstart`, `search` or `matrix`"
        )
    config = read_saved_config(root)
    if config.split_seeds:
        splits = sorted(p.name for p in root.glob("split-*") if p.is_dir())
        raise UserInputError(
            f"{root} holds one experiment per split seed; export one of them: "
            + ", ".join(str(root / s) for s in splits or [f"split-{config.split_seeds[0]}"])
        )
    return root, config


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if overwrite and (out / METADATA_FILE).is_file():
            return
        why = (
            "is a model directory; pass --overwrite to replace it"
            if (out / METADATA_FILE).is_file()
            else ("exists and is not an empty directory; choose a new --out")
        )
        raise UserInputError(f"--out {out} {why}")


def make_plan(
    results: ResultsDir,
    search_id: str | None = None,
    candidate_id: str | None = None,
    ensemble: str | None = None,
    classes: tuple[str, ...] | list[str] = (),
    objective: str | None = None,
) -> ExportPlan:
    """The export plan of one mode; more than one mode (or a stray option) is an error."""
    if search_id and ensemble:
        raise UserInputError("choose one of --recommended, --search and --ensemble")
    if candidate_id and not search_id:
        raise UserInputError("--candidate needs --search SEARCH_ID (the search it belongs to)")
    if (classes or objective) and (search_id or ensemble):
        raise UserInputError("--class and --objective apply to --recommended only")
    if search_id:
        return plan_search(results, search_id, candidate_id)
    if ensemble:
        return plan_ensemble(results, ensemble)
    return plan_recommended(results, classes, objective)


def _score(predict_codes: Any, scores: Any, y: np.ndarray, classes: list[str]) -> Evaluation:
    return evaluate(y, predict_codes, classes, scores=scores)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _redacted_llm(llm: dict[str, Any]) -> dict[str, Any]:
    """The saved ``llm:`` block (never holds a key) without credentials in a URL's user part."""
    out = dict(llm)
    if isinstance(out.get("base_url"), str):
        out["base_url"] = re.sub(r"//[^/@]*@", "//***@", out["base_url"])
    return out


def compare_metrics(measured: dict[str, float], recorded: dict[str, float], with_val: bool) -> dict[str, Any]:
    """How the retrained metrics (``val_``/``test_`` keys) match the recorded ones."""
    keys = [k for k in recorded if k in measured and (with_val or k.startswith("test_"))]
    diffs = {
        k: abs(measured[k] - recorded[k])
        for k in keys
        if not (math.isnan(measured[k]) and math.isnan(recorded[k]))
    }
    worst = max(diffs.values(), default=0.0)
    return {
        "compared": len(keys),
        "splits": ["val", "test"] if with_val else ["test"],
        "max_abs_difference": worst,
        "reproduced": bool(keys) and worst <= REPRODUCED_TOLERANCE,
        "largest": sorted(diffs, key=diffs.get, reverse=True)[:3] if worst > REPRODUCED_TOLERANCE else [],
    }


def _counts(frame: pd.DataFrame, classes: list[str]) -> dict[str, dict[str, int]]:
    table = frame.groupby(["label", "origin"]).size()
    return {c: {o: int(table.get((c, o), 0)) for o in ("real", "synthetic", "duplicate")} for c in classes}


def export_model(
    results_dir: str | Path,
    out: str | Path,
    *,
    search_id: str | None = None,
    candidate_id: str | None = None,
    ensemble: str | None = None,
    classes: tuple[str, ...] | list[str] = (),
    objective: str | None = None,
    refit_on: str = "train",
    overwrite: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export a configuration of ``results_dir`` into the model directory ``out`` (module docstring)."""
    from autogets_ray.data.splits import Split
    from autogets_ray.deploy.card import render_card
    from autogets_ray.experiment.context import context_for

    progress = progress or Progress(enabled=False)
    if refit_on not in REFIT_CHOICES:
        raise UserInputError(f"--refit-on {refit_on!r}: choose one of {', '.join(REFIT_CHOICES)}")
    root, config = check_results_dir(results_dir)
    out = Path(out)
    _check_out(out, overwrite)
    results = ResultsDir(root, config)
    plan = make_plan(results, search_id, candidate_id, ensemble, classes, objective)
    m0_flat = results.m0()
    split = Split.load(root)
    context = context_for(config, split, progress)
    m0_check = compare_metrics(
        val_test_metrics(context.m0_val, context.m0_test),
        m0_recorded(results),
        with_val=True,
    )
    best = {p.search_id: results.best_candidate(p.search_id) for p in plan.parts if p.search_id}
    source = RowSource(root, config, context, best)
    try:
        with progress.step(f"collecting the rows of {len(plan.parts)} chosen part(s)"):
            added_frames = [source.rows(p) for p in plan.parts]
            regenerated = source.regenerated
    finally:
        source.close()
    added = pd.concat(added_frames, ignore_index=True) if added_frames else pd.DataFrame(columns=ROW_COLUMNS)
    texts, labels = added["text"].astype(str).tolist(), added["label"].astype(str).tolist()
    classes_all = list(split.classes)
    with progress.step(f"fitting {config.model.name} on {len(split.train)} real + {len(added)} added rows"):
        model, fit_seconds = context.fit(texts, labels, plan.fit_options)
    selected_val = _score(
        model.predict(context.x_val),
        model.decision_scores(context.x_val, len(classes_all)),
        context.y_val,
        classes_all,
    )
    selected_test = _score(
        model.predict(context.x_test),
        model.decision_scores(context.x_test, len(classes_all)),
        context.y_test,
        classes_all,
    )
    selected = val_test_metrics(selected_val, selected_test)
    reproduction = (
        compare_metrics(selected, plan.recorded, plan.val_comparable)
        if plan.recorded
        else {"reproduced": None, "compared": 0, "note": "the experiment never measured this combination"}
    )
    featurizer, real = context.featurizer, real_rows(split.train)
    options = {**config.model.options, **plan.fit_options}
    if refit_on == "train+val":
        pool = pd.concat([split.train, split.val], ignore_index=True)
        with progress.step(f"refitting on train+val ({len(pool)} real + {len(added)} added rows)"):
            featurizer = create_model(config.model.name, **config.model.options).make_featurizer()
            x = featurizer.fit_transform(pool["text"].tolist())
            y = split.encode_labels(pool["label"])
            if texts:
                x = stack_features(x, featurizer.transform(texts))
                y = np.concatenate([y, split.encode_labels(labels)])
            model = create_model(config.model.name, **options)
            model.fit(x, y)
        real = real_rows(pool)
    training_set = pd.concat([real, added], ignore_index=True)[ROW_COLUMNS]

    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        files = save_fitted(model, featurizer, tmp)
        block = model_metadata(model, options, classes_all, files)
        meta: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "model": block}
        (tmp / METADATA_FILE).write_text(json.dumps(meta))
        with progress.step("reloading the model directory and scoring val and test"):
            loaded = load_model(tmp)
            val_frame, test_frame = split.val, split.test
            exported_val = _score(
                loaded.predict_codes(val_frame["text"].tolist()),
                loaded.decision_scores(val_frame["text"].tolist()),
                context.y_val,
                classes_all,
            )
            exported_test = _score(
                loaded.predict_codes(test_frame["text"].tolist()),
                loaded.decision_scores(test_frame["text"].tolist()),
                context.y_test,
                classes_all,
            )
        same = compare_metrics(val_test_metrics(exported_val, exported_test), selected, with_val=True)
        if refit_on == "train" and same["max_abs_difference"] != 0.0:
            raise RuntimeError(
                "the reloaded model predicts otherwise than the fitted one; please report this"
            )
        training_set.to_parquet(tmp / TRAINING_SET_FILE, index=False)
        meta = _metadata(
            block,
            root,
            config,
            split,
            plan,
            results,
            training_set,
            refit_on,
            metrics={
                "m0": {"val": m0_flat["val"], "test": m0_flat["test"]},
                "selected_fit": {"val": selected_val.flat(), "test": selected_test.flat()},
                "exported": {"val": exported_val.flat(), "test": exported_test.flat()},
                "exported_val_in_training": refit_on == "train+val",
                "recorded": {"source": plan.recorded_source, "val_comparable": plan.val_comparable},
                "reproduction": reproduction,
                "m0_reproduced": m0_check["reproduced"],
                "fit_seconds": fit_seconds,
            },
            regenerated=regenerated,
        )
        (tmp / METADATA_FILE).write_text(json.dumps(_clean(meta), indent=2))
        (tmp / CARD_FILE).write_text(render_card(meta))
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(out, meta, training_set)


def _metadata(
    block: dict[str, Any],
    root: Path,
    config: SearchConfig,
    split: Any,
    plan: ExportPlan,
    results: ResultsDir,
    training_set: pd.DataFrame,
    refit_on: str,
    metrics: dict[str, Any],
    regenerated: int,
) -> dict[str, Any]:
    from autogets_ray.llm import GenerationConfig
    from autogets_ray.llm.keys import generation_params

    classes = list(split.classes)
    synthetic = training_set[training_set["origin"] == "synthetic"]
    generators = (
        synthetic[["backend", "llm_model", "prompt_template", "prompt_version"]]
        .drop_duplicates()
        .to_dict(orient="records")
    )
    warnings: list[str] = []
    if len(synthetic) and (synthetic["backend"] == "ngram").any():
        warnings.append(
            "The synthetic samples come from the offline `ngram` backend: a word trigram model of the "
            "class's own training texts, not an LLM. It exists for tests and demos; do not deploy this "
            "model expecting what LLM samples would give, and re-run the experiment with an LLM backend."
        )
    reproduction = metrics["reproduction"]
    if reproduction.get("reproduced") is False:
        warnings.append(
            f"The retrained model does not reproduce the recorded metrics of {plan.recorded_source} "
            f"(largest difference {reproduction['max_abs_difference']:.3g}): a non-deterministic model, "
            f"or samples that differ from the experiment's."
        )
    if plan.combined:
        warnings.append(
            "This model combines the choices of several classes; the experiment measured each of them "
            "alone, never together. Its metrics below were measured at export."
        )
    if not metrics["m0_reproduced"]:
        warnings.append("The retrained M0 differs from m0.json (a non-deterministic model?).")
    if refit_on == "train+val":
        warnings.append(
            "Refit on train+val: the exported model's validation numbers are in-sample; its test numbers "
            "are still held out. The recorded numbers belong to the train-only fit ('selected fit')."
        )
    baselines = results.baselines_or_empty()
    baseline_rows = [
        {
            "target_class": str(r["target_class"]),
            "objective": str(r["objective"]),
            "baseline": str(r["baseline"]),
            "val_objective": float(r["val_objective"]),
            "test_objective": float(r["test_objective"]),
            "n_added": int(r["n_added"]),
        }
        for _, r in baselines.iterrows()
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_by": {"package": "autogets-ray", "version": __version__},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": block,
        "source": {"results_dir": str(root.resolve()), "config_file": CONFIG_FILE},
        "data": {
            "dataset": config.dataset.name,
            "text_column": config.dataset.text_column,
            "label_column": config.dataset.label_column,
            "split_seed": split.seed,
            "source_fingerprint": split.source_fingerprint,
            "split_sizes": {p: int((split.frame["part"] == p).sum()) for p in ("train", "val", "test")},
            "classes": classes,
        },
        "selection": {
            "mode": plan.mode,
            "objective": plan.objective,
            "decisions": plan.decisions,
            "parts": [
                {
                    "kind": p.kind,
                    "target_class": p.target_class,
                    "search_id": p.search_id,
                    "candidate_id": p.candidate_id,
                    "baseline": p.baseline,
                    "n_examples": len(p.example_ids),
                    "description": p.describe,
                }
                for p in plan.parts
            ],
            "combined": plan.combined,
            "fit_options": plan.fit_options,
            "ensemble": plan.ensemble,
            "evaluation": asdict(config.evaluation),
        },
        "generation": {
            "llm": _redacted_llm(config.llm),
            "settings": generation_params(GenerationConfig.from_dict(config.llm)),
            "generators": generators,
            "regenerated_examples": regenerated,
        },
        "training_set": {
            "file": TRAINING_SET_FILE,
            "refit_on": refit_on,
            "rows": int(len(training_set)),
            "real_rows": int((training_set["origin"] == "real").sum()),
            "synthetic_rows": int(len(synthetic)),
            "duplicate_rows": int((training_set["origin"] == "duplicate").sum()),
            "by_class": _counts(training_set, classes),
        },
        "metrics": metrics,
        "baselines": baseline_rows,
        "packages": {"python": platform.python_version(), **library_versions(PACKAGES)},
        "warnings": warnings,
    }
