"""M0: train the classifier on the original training split and report Table 1 (paper §4.1)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import Split, load_or_create_split
from autogets_ray.encoding.visual import VisualEncoder
from autogets_ray.metrics import Evaluation, evaluate
from autogets_ray.models import create_model
from autogets_ray.progress import Progress
from autogets_ray.reporting.pca_map import plot_class_maps
from autogets_ray.reporting.tables import table1

#: Paper Fig. 12 shows the four smallest classes.
MAP_CLASSES = 4


@dataclass
class BaselineResult:
    split: Split
    table: pd.DataFrame
    test: Evaluation
    val: Evaluation
    timings: dict[str, float]
    files: dict[str, Path] = field(default_factory=dict)


def run_baseline(
    request: DatasetRequest,
    model: str,
    out_dir: str | Path,
    model_options: dict[str, Any] | None = None,
    split_seed: int = 42,
    plot: bool = True,
    progress: Progress | None = None,
) -> BaselineResult:
    """Load, split (persisted in ``out_dir``), featurise, fit, evaluate, write Table 1 and the map."""
    progress = progress or Progress(enabled=False)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classifier = create_model(model, **(model_options or {}))

    with progress.step(f"loading dataset {request.name_or_path}", key="load_seconds"):
        data = load_dataset(request)
    with progress.step("splitting 80/20 then 80/20 (stratified)", key="split_seconds"):
        split = load_or_create_split(out, data, seed=split_seed, dataset=request.name_or_path)
    train, val, test = split.train, split.val, split.test
    progress.info(
        f"{len(data)} texts, {len(split.classes)} classes: "
        f"train {len(train)}, val {len(val)}, test {len(test)}"
    )

    with progress.step(f"featurising for {model}", key="featurise_seconds"):
        featurizer = classifier.make_featurizer()
        x_train = featurizer.fit_transform(train["text"].tolist())
        x_val = featurizer.transform(val["text"].tolist())
        x_test = featurizer.transform(test["text"].tolist())
    with progress.step(f"fitting {model} on {len(train)} texts", key="fit_seconds"):
        classifier.fit(x_train, split.encode_labels(train["label"]))
    with progress.step("evaluating on val and test", key="predict_seconds"):
        pred_test = classifier.predict(x_test)
        test_eval = evaluate(split.encode_labels(test["label"]), pred_test, split.classes)
        val_eval = evaluate(split.encode_labels(val["label"]), classifier.predict(x_val), split.classes)

    table = table1(test_eval, split.class_sizes())
    files = {
        "table1_csv": out / "table1.csv",
        "table1_parquet": out / "table1.parquet",
        "metrics": out / "metrics.json",
        "predictions": out / "test_predictions.parquet",
    }
    table.to_csv(files["table1_csv"], index=False)
    table.to_parquet(files["table1_parquet"], index=False)
    pd.DataFrame(
        {
            "row_id": test["row_id"].to_numpy(),
            "label": test["label"].to_numpy(),
            "predicted": np.asarray(split.classes, dtype=object)[pred_test],
        }
    ).to_parquet(files["predictions"], index=False)

    if plot:
        with progress.step("drawing the PCA map of the smallest classes", key="plot_seconds"):
            encoder = VisualEncoder(seed=0)
            coords = encoder.fit_transform(train["text"].tolist())
            smallest = list(split.class_sizes().index[::-1][:MAP_CLASSES])
            files["pca_map"] = plot_class_maps(
                coords, train["label"].to_numpy(), smallest, out / "pca_map.png"
            )

    files["metrics"].write_text(
        json.dumps(
            {
                "dataset": request.name_or_path,
                "split_seed": split_seed,
                "model": classifier.describe(),
                "sizes": {"train": len(train), "val": len(val), "test": len(test)},
                "test": test_eval.flat(),
                "val": val_eval.flat(),
                "timings": progress.timings,
            },
            indent=2,
        )
    )
    return BaselineResult(split, table, test_eval, val_eval, dict(progress.timings), files)
