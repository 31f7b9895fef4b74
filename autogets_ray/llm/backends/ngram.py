"""``ngram``: the embedded offline backend: a class-conditional word n-gram seeded by the example.

What it is: a word trigram model (backing off to bigrams and unigrams) trained on the real training
texts of the example's class, mixed with the example's own word transitions. Each line starts near
the example, follows the example's own next word with probability ``copy_rate`` and otherwise the
class model, and has about the example's length. Every line is a pure function of
``(seed, label, example text, sample index)`` and of the class's texts: deterministic, no network,
no GPU, tens of thousands of lines a minute on one core.

What it is not: a language model. It cannot paraphrase, invent vocabulary, or follow a prompt; its
lines are recombinations of the class's words and phrases. It exists so that tests, the quickstart
and CPU-only searches run end to end and the cache, the actor and the search behave exactly as with
a real LLM. Numbers obtained with it say nothing about what GPT-3.5 samples would do.

It replies in the paper's format (``1. words &`` per line) so the shared parser handles it like
any LLM reply.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from autogets_ray.llm.backends.base import BACKENDS, Backend, estimate_tokens
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.keys import texts_fingerprint
from autogets_ray.llm.quality import LineJudge
from autogets_ray.llm.prompts import PromptAdapter, get_template
from autogets_ray.llm.types import Completion, GenerationRequest, Prompt

log = logging.getLogger(__name__)

_START, _END = "\x02", "\x03"
ALGORITHM = "word-3gram-v1"


class _Table:
    """Next-word counts of one context, frozen into cumulative weights for fast sampling."""

    __slots__ = ("words", "cum")

    def __init__(self, counts: Counter[str]) -> None:
        self.words = list(counts)
        total, cum = 0, []
        for word in self.words:
            total += counts[word]
            cum.append(total)
        self.cum = cum

    def sample(self, rng: random.Random) -> str:
        return self.words[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


class WordTrigramModel:
    """Trigram / bigram / unigram next-word tables of one class's texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        tri: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        bi: dict[str, Counter[str]] = defaultdict(Counter)
        uni: Counter[str] = Counter()
        for text in texts:
            words = [_START, _START, *text.split(), _END]
            if len(words) == 3:
                continue
            for a, b, c in zip(words, words[1:], words[2:]):
                tri[(a, b)][c] += 1
                bi[b][c] += 1
                if c != _END:
                    uni[c] += 1
        self.tri = {k: _Table(v) for k, v in tri.items()}
        self.bi = {k: _Table(v) for k, v in bi.items()}
        self.uni = _Table(uni) if uni else None
        self.size = len(texts)

    def next_word(self, a: str, b: str, rng: random.Random, backoff: float) -> str:
        """Sample after ``(a, b)``; with probability ``backoff`` (or when unseen) use a shorter context."""
        table = self.tri.get((a, b))
        if table is None or rng.random() < backoff:
            table = self.bi.get(b)
            if table is None or rng.random() < backoff:
                return self.uni.sample(rng) if self.uni is not None else _END
        return table.sample(rng)


def line_seed(seed: int, label: str | None, text: str, index: int, attempt: int) -> int:
    key = f"{seed}\x1f{label}\x1f{text}\x1f{index}\x1f{attempt}".encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


class NgramBackend(Backend):
    """Class-conditional word n-gram seeded by the example (offline, deterministic)."""

    name = "ngram"
    uses_class_texts = True

    def __init__(
        self,
        config: GenerationConfig,
        copy_rate: float = 0.35,
        backoff: float = 0.1,
        length_jitter: float = 0.3,
        tries_per_line: int = 8,
    ) -> None:
        self.config = config
        self.adapter = PromptAdapter(get_template("paper"), config.prompt_kind)
        self.copy_rate = copy_rate
        self.backoff = backoff
        self.length_jitter = length_jitter
        self.tries_per_line = tries_per_line
        self._texts: dict[str, list[str]] = {}
        self._fingerprints: dict[str, str] = {}
        self._models: dict[str, WordTrigramModel] = {}
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    # --- class models ------------------------------------------------------------------------
    def set_class_texts(self, class_texts: Mapping[str, Sequence[str]]) -> None:
        with self._lock:
            for label, texts in class_texts.items():
                texts = [str(t) for t in texts]
                fingerprint = texts_fingerprint(texts)
                if self._fingerprints.get(str(label)) != fingerprint:
                    self._texts[str(label)] = texts
                    self._fingerprints[str(label)] = fingerprint
                    self._models.pop(str(label), None)

    def class_fingerprints(self) -> dict[str, str]:
        with self._lock:
            return dict(self._fingerprints)

    def model_id(self, label: str | None) -> str:
        with self._lock:
            if label is not None and label in self._fingerprints:
                return f"{ALGORITHM}@{self._fingerprints[label]}"
            if label is None and self._fingerprints:
                pooled = texts_fingerprint(sorted(self._fingerprints.values()))
                return f"{ALGORITHM}@nearest:{pooled}"
        return f"{ALGORITHM}@self"

    def _model(self, label: str) -> WordTrigramModel:
        with self._lock:
            model = self._models.get(label)
            if model is None:
                model = self._models[label] = WordTrigramModel(self._texts[label])
            return model

    def _nearest_label(self, text: str) -> str | None:
        """The class whose vocabulary covers most of ``text``'s words (for label-less requests)."""
        with self._lock:
            labels = sorted(self._texts)
        if not labels:
            return None
        words = set(text.split())
        return max(labels, key=lambda lb: (sum(w in self._model(lb).bi for w in words), lb))

    def _resolve(self, label: str | None, text: str) -> WordTrigramModel:
        if label is None:
            label = self._nearest_label(text)
        if label is not None and label in self._texts:
            return self._model(label)
        if str(label) not in self._warned:
            self._warned.add(str(label))
            log.warning(
                "ngram backend has no training texts for class %r: samples recombine the "
                "example's own words only",
                label,
            )
        return WordTrigramModel([text])

    # --- generation --------------------------------------------------------------------------
    def complete(self, prompt: Prompt) -> Completion:
        request = prompt.request
        lines = self.generate_lines(request)
        reply = "\n".join(f"{i + 1}. {line} &" for i, line in enumerate(lines))
        return Completion(reply, estimate_tokens(prompt.text), estimate_tokens(reply))

    def generate_lines(self, request: GenerationRequest) -> list[str]:
        """``request.n`` lines, line ``k`` seeded by (seed, label, text, first_index + k)."""
        model = self._resolve(request.label, request.text)
        source_words = request.text.split() or ["ticket"]
        successors: dict[str, list[str]] = defaultdict(list)
        for a, b in zip(source_words, source_words[1:]):
            successors[a].append(b)
        # the quality filter's rules (no near-copies of the example or of each other), so that
        # recombined lines are not rejected downstream
        judge = LineJudge(request.text, near_copy_similarity=self.config.near_copy_similarity)
        lines = []
        for k in range(request.n):
            index = request.first_index + k
            line = ""
            for attempt in range(self.tries_per_line):
                rng = random.Random(
                    line_seed(
                        request.params.seed,
                        request.label,
                        request.text,
                        index,
                        request.attempt * self.tries_per_line + attempt,
                    )
                )
                line = self._line(model, source_words, successors, rng)
                if judge.rejection(line) is None:
                    break
            judge.keep(line)
            lines.append(line)
        return lines

    def _line(
        self, model: WordTrigramModel, source: list[str], successors: dict[str, list[str]], rng: random.Random
    ) -> str:
        spread = 1.0 + self.length_jitter * (2.0 * rng.random() - 1.0)
        target = max(3, min(60, round(len(source) * spread)))
        a, b = _START, _START
        if rng.random() < 0.5:
            b = source[0]
        words = [] if b == _START else [b]
        while len(words) < target:
            follow = successors.get(b)
            if follow and rng.random() < self.copy_rate:
                word = rng.choice(follow)
            else:
                word = model.next_word(a, b, rng, self.backoff)
            if word == _END:
                if len(words) >= 0.6 * target:
                    break
                word = rng.choice(source)
            words.append(word)
            a, b = b, word
        return " ".join(words)


@BACKENDS.register("ngram", help="offline class-conditional word n-gram (default; tests, quickstart)")
def _ngram(config: GenerationConfig) -> Backend:
    return NgramBackend(config)
