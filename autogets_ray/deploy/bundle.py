"""The model directory: a fitted classifier and its featuriser on disk, loadable without Ray.

Layout (``docs/deploy.md``)::

    MODEL_DIR/metadata.json         format, format version, model name/options/classes, provenance
    MODEL_DIR/model.skops           linear: {"vectorizer": TfidfVectorizer, "svc": LinearSVC}
    MODEL_DIR/featurizer.skops      catboost with svd features: {"vectorizer", "svd"}
    MODEL_DIR/model.cbm             catboost: CatBoost's own format

scikit-learn objects are stored with ``skops`` (no pickle: loading only builds types on skops'
trusted list, so a tampered file cannot run code); CatBoost with its own ``.cbm``. A directory is
read only when its ``format_version`` is this package's :data:`FORMAT_VERSION`; other library
versions than the writer's give a warning, since predictions may then differ.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autogets_ray import __version__
from autogets_ray.errors import UserInputError
from autogets_ray.models import Featurizer, TextModel, create_model

FORMAT = "autogets-model-dir"
#: Bumped whenever the files or their meaning change; a reader accepts only its own version.
FORMAT_VERSION = 1
METADATA_FILE = "metadata.json"
SKOPS_MODEL = "model.skops"
SKOPS_FEATURIZER = "featurizer.skops"
CATBOOST_MODEL = "model.cbm"
#: Libraries whose version decides what a stored model of each kind predicts.
MODEL_LIBRARIES = {
    "linear": ("scikit-learn", "skops", "numpy", "scipy"),
    "catboost": ("catboost", "scikit-learn", "skops", "numpy", "scipy"),
}
SCORE_KINDS = {"linear": "decision_function", "catboost": "probability"}


def library_versions(names: Sequence[str]) -> dict[str, str]:
    """Installed versions of ``names`` (absent ones left out)."""
    found = {}
    for name in names:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return found


def score_column(label: str) -> str:
    """The prediction table's column of one class's score: ``score[<class>]``."""
    return f"score[{label}]"


# --- per-model codecs: the fitted parts of a TextModel and its featuriser -------------------------


def _skops_dump(parts: dict[str, Any], path: Path) -> None:
    import skops.io as sio

    sio.dump(parts, path)


def _skops_load(path: Path) -> dict[str, Any]:
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    if not path.is_file():
        raise UserInputError(f"{path.parent}: {path.name} is missing; the model directory is incomplete")
    try:
        return sio.load(path)  # only skops' trusted types: never a pickle
    except UntrustedTypesFoundException as exc:
        raise UserInputError(
            f"{path}: holds types outside skops' trusted set ({exc}); refusing to load it. "
            f"Re-export the model with `autogets export`"
        ) from None
    except Exception as exc:  # a truncated or foreign file
        raise UserInputError(f"{path}: cannot be read as a skops file ({exc}); re-export the model") from None


def save_fitted(model: TextModel, featurizer: Featurizer, directory: Path) -> list[str]:
    """Write the fitted ``model`` and ``featurizer`` into ``directory``; the file names written."""
    if model.name == "linear":
        _skops_dump({"vectorizer": featurizer.vectorizer, "svc": model._svc}, directory / SKOPS_MODEL)
        return [SKOPS_MODEL]
    if model.name == "catboost":
        files = [CATBOOST_MODEL]
        model._model.save_model(str(directory / CATBOOST_MODEL), format="cbm")
        if model.features == "svd":
            parts = {"vectorizer": featurizer.tfidf.vectorizer, "svd": featurizer.svd}
            _skops_dump(parts, directory / SKOPS_FEATURIZER)
            files.append(SKOPS_FEATURIZER)
        return files
    raise UserInputError(f"model {model.name!r} cannot be exported yet (linear and catboost can)")


def load_fitted(name: str, options: dict[str, Any], directory: Path) -> tuple[TextModel, Featurizer]:
    """Rebuild the model and featuriser :func:`save_fitted` wrote (their own predict code runs)."""
    model = create_model(name, **options)
    featurizer = model.make_featurizer()
    if name == "linear":
        parts = _skops_load(directory / SKOPS_MODEL)
        featurizer.vectorizer, model._svc = parts["vectorizer"], parts["svc"]
        return model, featurizer
    if name == "catboost":
        from catboost import CatBoostClassifier

        path = directory / CATBOOST_MODEL
        if not path.is_file():
            raise UserInputError(
                f"{directory}: {CATBOOST_MODEL} is missing; the model directory is incomplete"
            )
        booster = CatBoostClassifier()
        try:
            booster.load_model(str(path), format="cbm")
        except Exception as exc:
            raise UserInputError(
                f"{path}: cannot be read as a CatBoost model ({exc}); re-export it"
            ) from None
        model._model = booster
        if model.features == "svd":
            parts = _skops_load(directory / SKOPS_FEATURIZER)
            featurizer.tfidf.vectorizer, featurizer.svd = parts["vectorizer"], parts["svd"]
        return model, featurizer
    raise UserInputError(f"{directory}: model {name!r} is not one this autogets-ray can load")


# --- the directory --------------------------------------------------------------------------------


def model_metadata(
    model: TextModel, options: dict[str, Any], classes: Sequence[str], files: list[str]
) -> dict:
    """The ``model`` block of metadata.json: what :func:`load_model` needs."""
    return {
        "name": model.name,
        "options": dict(options),
        "classes": [str(c) for c in classes],
        "files": files,
        "score_kind": SCORE_KINDS.get(model.name, "score"),
        "parameters": model.describe(),
        "libraries": library_versions(MODEL_LIBRARIES.get(model.name, ())),
    }


def read_metadata(directory: str | Path) -> dict[str, Any]:
    """metadata.json of a model directory, checked for the format this package reads."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserInputError(f"model directory {directory} does not exist; create one with `autogets export`")
    path = directory / METADATA_FILE
    if not path.is_file():
        raise UserInputError(
            f"{directory} is not a model directory ({METADATA_FILE} missing); create one with "
            f"`autogets export RESULTS_DIR --out {directory}`"
        )
    try:
        meta = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{path}: not valid JSON ({exc}); re-export the model") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserInputError(f"{path}: not an autogets model directory (format {FORMAT!r} expected)")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        writer = (meta.get("created_by") or {}).get("version", "unknown")
        raise UserInputError(
            f"{directory} was written by autogets-ray {writer} in model-directory format {version}; "
            f"this autogets-ray ({__version__}) reads format {FORMAT_VERSION} only. Re-export it with "
            f"`autogets export`, or read it with autogets-ray {writer}"
        )
    model = meta.get("model")
    if not isinstance(model, dict) or not {"name", "options", "classes"} <= set(model):
        raise UserInputError(f"{path}: the 'model' block is missing or incomplete; re-export the model")
    return meta


class DeployedModel:
    """An exported classifier: texts in, class names (and per-class scores) out.

    ``load_model(MODEL_DIR).predict(["printer out of toner"])`` -> ``array(['Printing'])``.
    """

    def __init__(self, directory: Path, metadata: dict[str, Any], model: TextModel, featurizer: Featurizer):
        self.directory = directory
        self.metadata = metadata
        self.classes: list[str] = list(metadata["model"]["classes"])
        self.name: str = metadata["model"]["name"]
        self.score_kind: str = metadata["model"].get("score_kind", "score")
        self._model = model
        self._featurizer = featurizer

    def __repr__(self) -> str:
        return f"DeployedModel({self.name}, {len(self.classes)} classes, from {self.directory})"

    def features(self, texts: Sequence[str]) -> Any:
        return self._featurizer.transform(_checked_texts(texts))

    def predict_codes(self, texts: Sequence[str]) -> np.ndarray:
        """Integer class codes (indices into :attr:`classes`)."""
        return self._model.predict(self.features(texts))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The predicted class name of every text."""
        return np.asarray(self.classes, dtype=object)[self.predict_codes(texts)]

    def decision_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Scores (n_texts, n_classes), column k = ``classes[k]``, higher = more likely."""
        return self._model.decision_scores(self.features(texts), n_classes=len(self.classes))

    def predict_frame(self, texts: Sequence[str]) -> pd.DataFrame:
        """``predicted`` and one ``score[<class>]`` column per class, one row per text."""
        x = self.features(texts)
        codes = self._model.predict(x)
        out = pd.DataFrame({"predicted": np.asarray(self.classes, dtype=object)[codes]})
        scores = self._model.decision_scores(x, n_classes=len(self.classes))
        for k, label in enumerate(self.classes):
            out[score_column(label)] = scores[:, k]
        return out


def _checked_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise UserInputError("predict takes a list of texts, not one string: predict([text])")
    values = list(texts)
    bad = [
        i
        for i, v in enumerate(values)
        if not isinstance(v, str) and (v is None or (isinstance(v, float) and math.isnan(v)))
    ]
    if bad:
        raise UserInputError(f"texts at positions {bad[:5]} are missing (None or NaN); give every row a text")
    return [str(v) for v in values]


def load_model(directory: str | Path) -> DeployedModel:
    """The model an ``autogets export`` wrote into ``directory`` (no Ray needed)."""
    directory = Path(directory)
    meta = read_metadata(directory)
    block = meta["model"]
    written = block.get("libraries") or {}
    installed = library_versions(list(written))
    differ = [
        f"{name} {version} (installed: {installed.get(name, 'none')})"
        for name, version in written.items()
        if version != installed.get(name)
    ]
    if differ:
        warnings.warn(
            f"{directory} was written with {', '.join(differ)}; its predictions may differ from the "
            f"exported ones. Re-export it with these versions to be sure",
            stacklevel=2,
        )
    model, featurizer = load_fitted(block["name"], dict(block["options"]), directory)
    return DeployedModel(directory, meta, model, featurizer)
