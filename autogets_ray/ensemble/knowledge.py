"""The knowledge base of an experiment (paper §5.1-5.2): Table 3, Fig. 6a and Fig. 6b as tables.

Built from the trials of every class x strategy x objective search (Ray-free, pandas only) and
saved as plain files under ``<results>/knowledge_base/``:

- ``lookup.csv`` (Table 3): per searched class and metric (every objective the trials carry: the
  paper's CR, CBA, OBA, OF1, and the class AUC when the runs had decision scores), the best
  strategy-objective. "Best" is the search holding the trial with the highest *validation* value
  of that metric among all trials of the class's searches (the best model AutoGeTS found for it;
  test is never used to select).
  Ties go to the search whose objective is the metric itself, then strategy and objective names;
  ``tied`` lists every strategy-objective reaching the same value (the paper's "HSW-TBA/OBA").
- ``interaction.csv`` (Fig. 6a): row i = the class AutoGeTS was applied to, column j = any class,
  value = val CBA of j under class i's best-CBA model (the lookup's (i, cba) trial) minus M0's val
  CBA of j. The diagonal is the lookup's ΔCBA. ``interaction_test.csv``: the same models on test.
- ``oba_effect.csv`` (Fig. 6b): per class, the lookup's (i, oba) trial: ΔOBA on val and on test.
- ``classes.csv``: every class of the split with its size (all rows, as paper Table 1) and M0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.ensemble.candidates import CandidatePool
from autogets_ray.errors import UserInputError
from autogets_ray.metric_names import SPLITS, class_columns, delta_column, metric_column
from autogets_ray.metrics import objective_column, objectives_in

KB_DIR = "knowledge_base"
LOOKUP_COLUMNS = [
    "target_class",
    "metric",
    "strategy",
    "objective",
    "search_id",
    "candidate_id",
    "m0_val",
    "best_val",
    "delta_val",
    "delta_test",
    "m0_test",
    "best_test",
    "tied",
]
OBA_COLUMNS = [
    "target_class",
    delta_column("oba", "val"),
    delta_column("oba", "test"),
    "strategy",
    "objective",
    "search_id",
    "candidate_id",
]
_TIE = 1e-12


@dataclass
class ResultTables:
    """What the knowledge base is built from: the trials, M0's flat metrics, the class sizes."""

    trials: pd.DataFrame
    m0: dict[str, dict[str, float]]  # {"val": {key: value}, "test": {...}} as in m0.json
    class_sizes: dict[str, int] | None = None  # None: classes ordered by name, R1 unavailable

    @classmethod
    def read(cls, results_dir: str | Path) -> "ResultTables":
        """``trials.parquet``, ``m0.json`` and (for class sizes) ``split.parquet`` of a results dir."""
        root = Path(results_dir)
        if not root.is_dir():
            raise UserInputError(
                f"{root} is not a directory (expected the --out of `autogets search`/`matrix`)"
            )
        for name in ("trials.parquet", "m0.json"):
            if not (root / name).exists():
                raise UserInputError(
                    f"{root} holds no {name}: is it a finished `autogets search` or `autogets matrix` output?"
                )
        sizes = None
        if (root / "split.parquet").exists():
            labels = pd.read_parquet(root / "split.parquet", columns=["label"])["label"].astype(str)
            sizes = {str(k): int(v) for k, v in labels.value_counts().items()}
        m0 = json.loads((root / "m0.json").read_text())
        return cls(pd.read_parquet(root / "trials.parquet"), m0, sizes)


@dataclass
class KnowledgeBase:
    classes: list[str]  # every class, largest first (ties by name)
    class_sizes: dict[str, int]
    lookup: pd.DataFrame  # LOOKUP_COLUMNS
    interaction: pd.DataFrame  # index applied_class, one column per class: val ΔCBA
    interaction_test: pd.DataFrame
    oba_effect: pd.DataFrame  # OBA_COLUMNS
    m0: dict[str, dict[str, float]] = field(default_factory=dict)

    # --- queries -------------------------------------------------------------------------------
    def check_class(self, name: str) -> str:
        if name not in self.classes:
            raise UserInputError(f"unknown class {name!r}; classes are: {', '.join(self.classes)}")
        return name

    def searched_classes(self) -> list[str]:
        return [c for c in self.classes if c in set(self.lookup["target_class"])]

    def best(self, target_class: str, metric: str) -> pd.Series | None:
        """The lookup row (Table 3 cell) of a class and metric; None when the class was not searched."""
        rows = self.lookup[(self.lookup["target_class"] == target_class) & (self.lookup["metric"] == metric)]
        return rows.iloc[0] if len(rows) else None

    # --- files ---------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.lookup.to_csv(out / "lookup.csv", index=False)
        self.interaction.to_csv(out / "interaction.csv", index_label="applied_class")
        self.interaction_test.to_csv(out / "interaction_test.csv", index_label="applied_class")
        self.oba_effect.to_csv(out / "oba_effect.csv", index=False)
        self._classes_frame().to_csv(out / "classes.csv", index=False)
        (out / "m0.json").write_text(json.dumps(self.m0, indent=2))
        (out / "README.md").write_text(_README)
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "KnowledgeBase":
        root = Path(directory)
        names = (
            "lookup.csv",
            "interaction.csv",
            "interaction_test.csv",
            "oba_effect.csv",
            "classes.csv",
            "m0.json",
        )
        missing = [n for n in names if not (root / n).exists()]
        if missing:
            raise UserInputError(
                f"{root} is not a knowledge base (missing {', '.join(missing)}); "
                "build it with `autogets ensemble RESULTS_DIR --knowledge-only`"
            )
        str_cols = {
            c: str
            for c in ("target_class", "metric", "strategy", "objective", "search_id", "candidate_id", "tied")
        }
        lookup = pd.read_csv(root / "lookup.csv", dtype=str_cols, keep_default_na=False)
        classes = pd.read_csv(root / "classes.csv", dtype={"class": str}, keep_default_na=False)

        def matrix(name: str) -> pd.DataFrame:
            frame = pd.read_csv(root / name, dtype={"applied_class": str}, keep_default_na=False)
            frame = frame.set_index("applied_class")
            frame.columns = [str(c) for c in frame.columns]
            return frame.astype(float)

        return cls(
            classes=classes["class"].tolist(),
            class_sizes=dict(zip(classes["class"], classes["size"].astype(int))),
            lookup=lookup,
            interaction=matrix("interaction.csv"),
            interaction_test=matrix("interaction_test.csv"),
            oba_effect=pd.read_csv(root / "oba_effect.csv", dtype=str_cols, keep_default_na=False),
            m0=json.loads((root / "m0.json").read_text()),
        )

    def _classes_frame(self) -> pd.DataFrame:
        searched = set(self.searched_classes())
        return pd.DataFrame(
            {
                "class": self.classes,
                "size": [self.class_sizes.get(c, 0) for c in self.classes],
                "searched": [c in searched for c in self.classes],
                **{
                    f"m0_{part}_{metric}": [self.m0[part][metric_column(metric, c)] for c in self.classes]
                    for metric in ("cba", "cr")
                    for part in SPLITS
                },
            }
        )


def build_knowledge_base(source: str | Path | ResultTables) -> KnowledgeBase:
    """Table 3, Fig. 6a and Fig. 6b of a finished experiment (a results dir or its tables)."""
    tables = source if isinstance(source, ResultTables) else ResultTables.read(source)
    m0 = {"val": dict(tables.m0["val"]), "test": dict(tables.m0["test"])}
    classes = _all_classes(m0["val"])
    sizes = dict(tables.class_sizes or {})
    classes.sort(key=lambda c: (-sizes.get(c, 0), c))
    pool = CandidatePool(tables.trials)
    unknown = [c for c in pool.classes() if c not in classes]
    if unknown:
        raise UserInputError(
            f"the trials target class(es) {', '.join(unknown)} that M0's metrics do not know"
        )
    searched = [c for c in classes if c in set(pool.classes())]

    metrics = objectives_in(pool.trials.columns)
    lookup = pd.DataFrame(
        [_lookup_row(pool, m0, c, m) for c in searched for m in metrics], columns=LOOKUP_COLUMNS
    )
    trials = pool.trials.set_index(["search_id", "candidate_id"])

    def effect(prefix: str) -> pd.DataFrame:
        rows = {}
        for c in searched:
            best = lookup[(lookup["target_class"] == c) & (lookup["metric"] == "cba")].iloc[0]
            trial = trials.loc[(best["search_id"], best["candidate_id"])]
            rows[c] = [
                float(trial[metric_column("cba", j, prefix)]) - m0[prefix][metric_column("cba", j)]
                for j in classes
            ]
        return pd.DataFrame.from_dict(rows, orient="index", columns=classes).rename_axis("applied_class")

    oba = lookup[lookup["metric"] == "oba"].rename(
        columns={"delta_val": delta_column("oba", "val"), "delta_test": delta_column("oba", "test")}
    )
    return KnowledgeBase(
        classes=classes,
        class_sizes={c: int(sizes.get(c, 0)) for c in classes},
        lookup=lookup,
        interaction=effect("val"),
        interaction_test=effect("test"),
        oba_effect=oba[OBA_COLUMNS].reset_index(drop=True),
        m0=m0,
    )


def build_and_save_knowledge(results_dir: str | Path) -> KnowledgeBase:
    """(Re)build ``<results>/knowledge_base/`` from a results directory; returns the knowledge base."""
    kb = build_knowledge_base(ResultTables.read(results_dir))
    kb.save(Path(results_dir) / KB_DIR)
    return kb


def _all_classes(flat: dict[str, Any]) -> list[str]:
    classes = list(class_columns(flat, "cba"))
    if not classes:
        raise UserInputError("M0's metrics hold no per-class cba[...] values (m0.json 'val')")
    return classes


def _lookup_row(
    pool: CandidatePool, m0: dict[str, dict[str, float]], target: str, metric: str
) -> dict[str, Any]:
    key = objective_column(metric, target)
    val_col, test_col = (metric_column(key, split=part) for part in SPLITS)
    trials = pool.trials[pool.trials["target_class"] == target]
    for col in (val_col, test_col):
        if col not in trials:
            raise UserInputError(f"the trials table has no column {col!r}")
    per_search = []
    for ref in pool.searches(target):
        group = trials[trials["search_id"] == ref.search_id]
        values = group[val_col].astype(float).to_numpy()
        i = int(np.argmax(np.where(np.isnan(values), -np.inf, values)))  # first max: completion order
        per_search.append((float(values[i]), ref, group.iloc[i]))
    top = max(v for v, _, _ in per_search)
    tied = [(ref, row) for v, ref, row in per_search if v >= top - _TIE]
    tied.sort(key=lambda t: (t[0].objective != metric, t[0].strategy, t[0].objective))
    ref, row = tied[0]
    best_val, best_test = float(row[val_col]), float(row[test_col])
    return {
        "target_class": target,
        "metric": metric,
        "strategy": ref.strategy,
        "objective": ref.objective,
        "search_id": ref.search_id,
        "candidate_id": str(row["candidate_id"]),
        "m0_val": m0["val"][key],
        "best_val": best_val,
        "delta_val": best_val - m0["val"][key],
        "delta_test": best_test - m0["test"][key],
        "m0_test": m0["test"][key],
        "best_test": best_test,
        "tied": "/".join(r.label for r, _ in tied),
    }


_README = """\
# Knowledge base (paper §5.1-5.2, Table 3 and Fig. 6)

Built by `autogets ensemble RESULTS_DIR --knowledge-only` (and by every `autogets ensemble` run)
from `trials.parquet` and `m0.json`. Validation selects, test is reported only.

- `lookup.csv` (Table 3): per searched class and metric (cr, cba, oba, of1, and auc when the
  trials carry it) the best strategy-objective: the search holding the trial with the highest
  validation value of the metric among all trials of that class's searches. `candidate_id` is
  that trial; `m0_val`/`best_val`/`delta_val` its validation values, `m0_test`/`best_test`/
  `delta_test` the same trial on test.
  Ties prefer the search whose objective is the metric itself; `tied` lists all tied combinations.
- `interaction.csv` (Fig. 6a): row `applied_class` i, column j: validation CBA of class j under
  class i's best-CBA model (lookup row (i, cba)) minus M0's validation CBA of j. Positive values in
  column j name j's related classes (Alg. 5). `interaction_test.csv`: same models on test.
- `oba_effect.csv` (Fig. 6b): per class, the ΔOBA of its best-OBA model (lookup row (i, oba)) on
  validation and test; Alg. 4 takes the classes in descending `delta_oba_val`.
- `classes.csv`: every class, its size (all rows of the split, as paper Table 1), whether it was
  searched, and M0's CBA and CR on validation and test.
- `m0.json`: M0's flat metrics (`val`, `test`).
"""
