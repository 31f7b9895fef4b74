"""A small constructed results directory: search tables, knowledge base and ensemble runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from autogets_ray.experiment.evaluation import FoldMetrics, ScoredCandidate
from autogets_ray.experiment.results import summary, trajectory

#: The last name checks HTML escaping and file-name-safe figure names.
CLASSES = ["Hardware", "Network", "R&D <ops>"]
SIZES = {"Hardware": (64, 16, 20), "Network": (32, 8, 10), "R&D <ops>": (12, 4, 5)}
STRATEGIES = ["sw", "ga"]
OBJECTIVES = ["cba", "oba"]
TRIALS_PER_SEARCH = 5


def _metrics(rng: np.random.Generator, base: float, classes: list[str]) -> dict[str, float]:
    out = {
        "accuracy": base,
        "oba": base + 0.01,
        "of1": base - 0.01,
        "macro_recall": base,
        "weighted_cba": base + 0.02,
    }
    for i, name in enumerate(classes):
        out[f"cr[{name}]"] = round(base - 0.1 * i + rng.uniform(-0.02, 0.02), 4)
        out[f"cba[{name}]"] = round(base - 0.05 * i + rng.uniform(-0.02, 0.02), 4)
        out[f"f1[{name}]"] = round(base - 0.08 * i + rng.uniform(-0.02, 0.02), 4)
    return out


def _objective_key(objective: str, target: str) -> str:
    return f"{objective}[{target}]" if objective in ("cr", "cba") else objective


def _split(sizes: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    rows = []
    for name, counts in sizes.items():
        for part, n in zip(("train", "val", "test"), counts):
            rows += [{"text": f"{name} ticket {k}", "label": name, "part": part} for k in range(n)]
    frame = pd.DataFrame(rows)
    frame.insert(0, "row_id", np.arange(len(frame)))
    return frame


def _trials(
    m0: dict[str, dict[str, float]],
    rng: np.random.Generator,
    targets: list[str],
    objectives: list[str],
    strategies: list[str],
) -> pd.DataFrame:
    rows, order = [], 0
    for target in targets:
        for strategy in strategies:
            for objective in objectives:
                search_id = f"{target}-{strategy}-{objective}"
                for k in range(TRIALS_PER_SEARCH):
                    row = {
                        "search_id": search_id,
                        "strategy": strategy,
                        "target_class": target,
                        "objective": objective,
                        "retrain_seconds": 0.5 + 0.1 * k,
                        "subset_size": 4 + k,
                        "n_synthetic": 10,
                        "candidate_id": f"c{k}",
                        "example_ids": [1, 2, 3],
                        "completed_order": order,
                    }
                    order += 1
                    for part in ("val", "test"):
                        for key, value in m0[part].items():
                            row[f"{part}_{key}"] = value + float(rng.uniform(-0.02, 0.05))
                        row[f"{part}_objective"] = row[f"{part}_{_objective_key(objective, target)}"]
                    rows.append(row)
    return pd.DataFrame(rows)


def _m0_score(m0: dict[str, dict[str, float]]) -> ScoredCandidate:
    # FoldMetrics of one fold answers objective()/oba like an Evaluation does
    return ScoredCandidate(FoldMetrics((m0["val"],)), FoldMetrics((m0["test"],)), 0.1, 1, 0)


def _baselines(
    m0: dict[str, dict[str, float]], rng: np.random.Generator, targets: list[str], objectives: list[str]
) -> pd.DataFrame:
    rows = []
    for target in targets:
        for objective in objectives:
            key = _objective_key(objective, target)
            for k, name in enumerate(("m0", "all-examples", "duplicate", "class-weight")):
                shift = {part: 0.0 if k == 0 else float(rng.uniform(-0.02, 0.04)) for part in ("val", "test")}
                row = {
                    "target_class": target,
                    "objective": objective,
                    "baseline": name,
                    "val_objective": m0["val"][key] + shift["val"],
                    "val_objective_se": 0.01,
                    "val_objective_folds": "[]",
                    "test_objective": m0["test"][key] + shift["test"],
                    "n_added": 0 if name in ("m0", "class-weight") else 20,
                    "fits": 1,
                    "retrain_seconds": 0.1,
                }
                for part in ("val", "test"):
                    row.update({f"{part}_{m}": v + shift[part] for m, v in m0[part].items()})
                rows.append(row)
    return pd.DataFrame(rows)


def write_search_dir(
    path: Path,
    seed: int = 0,
    sizes: dict[str, tuple[int, int, int]] | None = None,
    targets: list[str] | None = None,
    objectives: list[str] | None = None,
    strategies: list[str] | None = None,
) -> Path:
    """What ``autogets search`` writes (the files a report reads). ``sizes`` (train, val, test per
    class; default :data:`SIZES`), the searched ``targets`` (default: every class), ``objectives``
    and ``strategies`` (defaults :data:`OBJECTIVES`, :data:`STRATEGIES`) vary the experiment."""
    sizes = SIZES if sizes is None else sizes
    classes = list(sizes)
    targets = classes if targets is None else targets
    objectives = OBJECTIVES if objectives is None else objectives
    strategies = STRATEGIES if strategies is None else strategies
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    m0 = {"val": _metrics(rng, 0.85, classes), "test": _metrics(rng, 0.84, classes)}
    (path / "m0.json").write_text(json.dumps({**m0, "fit_seconds": 0.1}))
    (path / "config.yaml").write_text("dataset:\n  name: constructed\nmodel:\n  name: linear\n")
    _split(sizes).to_parquet(path / "split.parquet", index=False)
    trials = _trials(m0, rng, targets, objectives, strategies)
    trials.to_parquet(path / "trials.parquet", index=False)
    baselines = _baselines(m0, rng, targets, objectives)
    baselines.to_csv(path / "baselines.csv", index=False)
    summary(trials, _m0_score(m0), baselines).to_csv(path / "summary.csv", index=False)
    trajectory(trials).to_parquet(path / "trajectory.parquet", index=False)
    return path


def write_knowledge_base(path: Path) -> None:
    kb = path / "knowledge_base"
    kb.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, target in enumerate(CLASSES):
        for j, metric in enumerate(["cr", "cba", "oba", "of1"]):
            rows.append(
                {
                    "target_class": target,
                    "metric": metric,
                    "strategy": STRATEGIES[(i + j) % 2],
                    "objective": OBJECTIVES[j % 2],
                    "search_id": f"{target}-sw-cba",
                    "candidate_id": "c1",
                    "m0_val": 0.8,
                    "best_val": 0.81 + 0.01 * j,
                    "delta_val": 0.01 + 0.01 * j + 0.001 * i,
                    "delta_test": 0.005 + 0.001 * i,
                }
            )
    pd.DataFrame(rows).to_csv(kb / "lookup.csv", index=False)
    matrix = pd.DataFrame({"applied_class": CLASSES})
    for j, name in enumerate(CLASSES):
        matrix[name] = [0.03 if i == j else -0.004 * (i + 1) + 0.002 * j for i in range(len(CLASSES))]
    matrix.to_csv(kb / "interaction.csv", index=False)
    matrix.assign(**{name: matrix[name] / 2 for name in CLASSES}).to_csv(
        kb / "interaction_test.csv", index=False
    )
    pd.DataFrame(
        {
            "target_class": CLASSES,
            "delta_oba_val": [0.002, 0.004, -0.001],
            "delta_oba_test": [0.001, 0.003, 0.0005],
        }
    ).to_csv(kb / "oba_effect.csv", index=False)


def _steps(important: str, rng: np.random.Generator, timed: bool) -> pd.DataFrame:
    rows = []
    methods = ["ensemble", "single:sw-cba", "single:ga-oba", "random:0", "random:1"]
    for method in methods:
        state = {f"{p}_{m}": 0.8 for p in ("val", "test") for m in ("oba", "of1")}
        state.update({f"{p}_{m}[{c}]": 0.7 for p in ("val", "test") for m in ("cba", "cr") for c in CLASSES})
        for iteration in range(5):
            accepted = iteration == 0 or bool(rng.uniform() < 0.7)
            row = {
                "method": method,
                "iteration": iteration,
                "applied_class": important,
                "strategy": "sw",
                "objective": "cba",
                "search_id": f"{important}-sw-cba",
                "accepted": accepted,
                "n_synthetic": 10 * iteration,
            }
            if timed:
                row["retrain_seconds"] = 1.5 * iteration
            candidate = {
                k: v + (float(rng.uniform(-0.01, 0.03)) if iteration else 0.0) for k, v in state.items()
            }
            row.update(candidate)
            if accepted:
                state = candidate
            rows.append(row)
    return pd.DataFrame(rows)


def write_ensembles(path: Path, seed: int = 0) -> list[str]:
    """Two runs: R1 (x axis: iterations) and R3 for Network (x axis: retrain seconds); their names."""
    rng = np.random.default_rng(seed)
    names = ["r1", "r3-Network"]
    for name in names:
        run = path / "ensemble" / name
        run.mkdir(parents=True, exist_ok=True)
        _steps("Network", rng, timed=name != "r1").to_csv(run / "steps.csv", index=False)
        stop = {"code": "no_improvement", "detail": "no improvement in 2 iterations"}
        result = {
            "requirement": name.split("-")[0],
            "parameters": {"metric": "cba", "important": "Network"},
            "val": {"oba": {"m0": 0.8, "final": 0.83, "delta": 0.03}},
            "termination": stop,
            "comparisons": [{"method": "single:sw-cba", "termination": {"code": "order_exhausted"}}],
        }
        (run / "result.json").write_text(json.dumps(result))
    return names


def write_full_results(path: Path) -> Path:
    write_search_dir(path)
    write_knowledge_base(path)
    write_ensembles(path)
    return path
