"""Label fidelity: does M0 (the classifier trained on the real training split) put a class's
synthetic samples in that class?

A sample M0 assigns elsewhere is off-topic for the class, or so generic that it would teach the
retrained model the wrong boundary. The judge is a model fitted on the split's training rows only
(never validation or test); its predictions are stored in the cache (``judgements``) under the
judge's name, ``<model>@<split fingerprint>:<seed>``, so ``autogets cache stats`` reports the
fidelity of every judged pool later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autogets_ray.data.splits import Split
from autogets_ray.llm.cache import GenerationCache, StoredExample
from autogets_ray.models.base import create_model

#: ``--judge`` choices: a registered model name, or ``none`` to skip judging.
NO_JUDGE = "none"


def judge_name(model: str, split: Split) -> str:
    return f"{model}@{split.source_fingerprint[:12]}:{split.seed}"


def judge_samples(
    cache: GenerationCache, records: Sequence[StoredExample], split: Split, model: str = "linear"
) -> str:
    """Fit ``model`` on the training split, predict every sample of ``records``, store the verdicts.

    Returns the judge's name. A sample is on target when M0 predicts its record's label.
    """
    rows = [(key, text, record.label) for record in records for key, _, text in record.samples]
    name = judge_name(model, split)
    if not rows:
        return name
    classifier = create_model(model)
    featurizer = classifier.make_featurizer()
    train = split.train
    classifier.fit(featurizer.fit_transform(train["text"].tolist()), split.encode_labels(train["label"]))
    predicted = classifier.predict(featurizer.transform([text for _, text, _ in rows]))
    names = [split.classes[int(code)] for code in predicted]
    cache.put_judgements(name, [(key, guess, guess == label) for (key, _, label), guess in zip(rows, names)])
    return name


def judged_quality(
    cache: GenerationCache, keys: Iterable[str], split: Split, judge: str = "linear"
) -> dict[str, object] | None:
    """The quality of the one pool holding ``keys``' records, judged by ``judge`` first
    (``none``: not judged); ``None`` when the cache holds none of them."""
    keys = list(dict.fromkeys(keys))
    if judge != NO_JUDGE:
        judge_samples(cache, cache.records(keys), split, judge)
    return next(iter(cache.pool_qualities(keys).values()), None)
