"""The offline ngram backend: deterministic, class-conditional and seeded by the example."""

from __future__ import annotations

from autogets_ray.llm import GenerationConfig
from autogets_ray.llm.backends import create_backend
from autogets_ray.llm.parsing import normalise, parse_reply
from autogets_ray.llm.types import GenerationRequest, SamplingParams


def lines(backend, text, label, seed=0, n=5):
    request = GenerationRequest(text, label, n, 0, SamplingParams(0.7, 550, 0.5, 0.3, 0.0, seed))
    return parse_reply(backend.complete(backend.render(request)).text, text, n).samples


def test_same_seed_same_lines_other_seed_other_lines(texts):
    a = create_backend(GenerationConfig(), texts)
    b = create_backend(GenerationConfig(), texts)
    source = texts["Security"][0]
    assert lines(a, source, "Security") == lines(b, source, "Security")
    assert lines(a, source, "Security", seed=1) != lines(a, source, "Security")


def test_samples_resemble_the_class_and_the_example(texts):
    backend = create_backend(GenerationConfig(), texts)
    class_vocab = {w for t in texts["Printing"] for w in t.split()}
    other_vocab = {w for label, ts in texts.items() if label != "Printing" for t in ts for w in t.split()}
    printing_only = class_vocab - other_vocab
    source = texts["Printing"][3]
    samples = lines(backend, source, "Printing")
    assert len(samples) == 5 and normalise(source) not in {normalise(s) for s in samples}
    words = [w for s in samples for w in s.split()]
    assert all(w in class_vocab for w in words)  # the class's own vocabulary
    assert sum(w in source.split() for w in words) > 0.3 * len(words)  # close to the example
    assert printing_only and any(w in printing_only for w in words)


def test_model_identity_follows_the_training_texts(texts):
    backend = create_backend(GenerationConfig(), texts)
    before = backend.model_id("Access")
    backend.set_class_texts({"Access": texts["Access"][:-1]})
    assert backend.model_id("Access") != before
    assert backend.model_id("Unknown").endswith("@self")


def test_unknown_class_recombines_the_example_only(texts):
    backend = create_backend(GenerationConfig())
    source = "mailbox quota full cannot send mail since monday"
    samples = lines(backend, source, "Email")
    assert samples and all(set(s.split()) <= set(source.split()) for s in samples)
