"""The rows an export adds to the real training rows, with their provenance (Ray-free).

A search trial's (or ensemble step's) synthetic samples come from ``best_samples.parquet`` when the
trial is its search's best (what the runner stored), else from the generation cache through the
trial's ``example_ids``, with the experiment's generation settings (``config.yaml``'s ``llm:``
block, the same ``AUTOGETS_CACHE_DIR`` as the search). Examples missing from the cache are
regenerated only for the offline, seeded ``ngram`` backend; any other backend would give other
samples than the experiment trained on, so that is an error. The ``all-examples`` baseline takes the
samples of every training example of its class the same way, ``duplicate`` redraws the same real
rows as the experiment did (same seed, same count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from autogets_ray.deploy.selection import Part
from autogets_ray.errors import UserInputError
from autogets_ray.experiment.config import SearchConfig
from autogets_ray.experiment.context import ExperimentContext

#: training_set.parquet's columns, in order (docs/deploy.md#provenance).
ROW_COLUMNS = [
    "origin",  # real | synthetic | duplicate
    "part",  # train | val for real rows, "" for added ones
    "row_id",  # the split's row id of a real row (-1 for added rows)
    "text",
    "label",
    "source_id",  # the real example a synthetic or duplicated row was made from (-1 for real rows)
    "sample_index",  # the sample's index among its example's samples (-1 if not synthetic)
    "backend",
    "llm_model",
    "prompt_template",
    "prompt_version",
    "chosen_by",  # which part of the exported configuration added the row
]
#: Backends whose samples can be regenerated identically (offline and seeded).
REPRODUCIBLE_BACKENDS = ("ngram",)


def real_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A split part's rows as training-set rows (origin ``real``)."""
    return pd.DataFrame(
        {
            "origin": "real",
            "part": frame["part"].astype(str).to_numpy(),
            "row_id": frame["row_id"].astype("int64").to_numpy(),
            "text": frame["text"].astype(str).to_numpy(),
            "label": frame["label"].astype(str).to_numpy(),
            "source_id": -1,
            "sample_index": -1,
            "backend": "",
            "llm_model": "",
            "prompt_template": "",
            "prompt_version": -1,
            "chosen_by": "real training data",
        },
        columns=ROW_COLUMNS,
    )


class RowSource:
    """``rows(part)``: the rows one part adds, in the order the experiment appended them."""

    def __init__(
        self, root: Path, config: SearchConfig, context: ExperimentContext, best: dict[str, str]
    ) -> None:
        self.root, self.config, self.context = root, config, context
        self.best = best  # search_id -> its best candidate (the one best_samples.parquet holds)
        path = root / "best_samples.parquet"
        self.best_samples = pd.read_parquet(path) if path.is_file() else None
        self._generator: Any = None
        self.regenerated = 0  # examples not in the cache, generated again (ngram only)

    # --- generation ----------------------------------------------------------------------------
    @property
    def generator(self) -> Any:
        if self._generator is None:
            from autogets_ray.llm import GenerationConfig, build_generator

            self._generator = build_generator(
                GenerationConfig.from_dict(self.config.llm), self.context.class_texts()
            )
        return self._generator

    def provenance(self, label: str) -> dict[str, Any]:
        backend = self.generator.backend
        template = backend.adapter.template
        return {
            "backend": backend.name,
            "llm_model": backend.model_id(label),
            "prompt_template": template.name,
            "prompt_version": int(template.version),
        }

    def _generate(self, ids: list[int], label: str, what: str) -> pd.DataFrame:
        from autogets_ray.llm import Example

        gen = self.generator
        examples = [Example(example_id=i, text=self.context.text_of(i), label=label) for i in ids]
        cached = gen.cache.get_many([gen.key_for(ex) for ex in examples])
        missing = len({gen.key_for(ex) for ex in examples} - set(cached))
        if missing and gen.backend.name not in REPRODUCIBLE_BACKENDS:
            raise UserInputError(
                f"{what}: {missing} of its {len(examples)} examples are not in the generation cache "
                f"{gen.config.cache_path}; generating them again with {gen.backend.name} would give other "
                f"samples than the experiment trained on. Point AUTOGETS_CACHE_DIR at the search's cache "
                f"(or `autogets cache import` its export) and export again"
            )
        self.regenerated += missing
        result = gen.generate(examples)
        if result.stopped or (examples and result.samples.empty):  # as a trial: partial samples do
            first = result.stopped or next(iter(result.errors.values()), "no samples returned")
            raise UserInputError(f"{what}: the generator did not return its samples: {first}")
        return result.samples

    # --- rows of a part ------------------------------------------------------------------------
    def _stored(self, part: Part) -> pd.DataFrame | None:
        """best_samples.parquet's rows of the part's trial, when they are that trial's."""
        if self.best_samples is None:
            return None
        rows = self.best_samples[self.best_samples["search_id"].astype(str) == part.search_id]
        if "candidate_id" in rows:  # the file names the candidate it holds
            rows = rows[rows["candidate_id"].astype(str) == part.candidate_id]
        elif self.best.get(part.search_id) != part.candidate_id:  # older results: the search's best
            return None
        if rows.empty or not set(rows["source_id"].astype(int)) <= set(part.example_ids):
            return None
        return rows.drop(columns=["search_id", "candidate_id"], errors="ignore").reset_index(drop=True)

    def rows(self, part: Part) -> pd.DataFrame:
        if part.kind == "baseline" and part.baseline == "class-weight":
            return pd.DataFrame(columns=ROW_COLUMNS)
        if part.kind == "baseline" and part.baseline == "duplicate":
            return self._duplicate(part)
        if part.kind == "baseline":
            if part.baseline != "all-examples":
                raise UserInputError(f"unknown baseline {part.baseline!r} in {self.root}")
            rows = self.context.class_rows(part.target_class)
            ids = [int(self.context.train_row_ids[i]) for i in rows]
            samples = self._generate(ids, part.target_class, part.describe)
        else:
            samples = self._stored(part)
            if samples is None:
                samples = self._generate(list(part.example_ids), part.target_class, part.describe)
        frame = pd.DataFrame(
            {
                "origin": "synthetic",
                "part": "",
                "row_id": -1,
                "text": samples["text"].astype(str).to_numpy(),
                "label": part.target_class,
                "source_id": samples["source_id"].astype("int64").to_numpy(),
                "sample_index": samples["sample_index"].astype("int64").to_numpy(),
                **self.provenance(part.target_class),
                "chosen_by": part.describe,
            },
            columns=ROW_COLUMNS,
        )
        return frame

    def _duplicate(self, part: Part) -> pd.DataFrame:
        from autogets_ray.experiment.baselines import duplicate_rows
        from autogets_ray.experiment.runner import derived_seed

        seed = derived_seed(self.config.seed, part.target_class, "duplicate")
        texts, sources = duplicate_rows(self.context, part.target_class, part.n_added, seed)
        return pd.DataFrame(
            {
                "origin": "duplicate",
                "part": "",
                "row_id": -1,
                "text": texts,
                "label": part.target_class,
                "source_id": pd.Series(sources, dtype="int64"),
                "sample_index": -1,
                "backend": "",
                "llm_model": "",
                "prompt_template": "",
                "prompt_version": -1,
                "chosen_by": part.describe,
            },
            columns=ROW_COLUMNS,
        )

    def close(self) -> None:
        if self._generator is not None:
            self._generator.close()
