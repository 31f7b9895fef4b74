"""Sample quality: which reply lines are rejected (and why), and the quality metrics of a pool.

Rejection reasons, checked in this order for every line of a reply (:func:`rejection`):

- ``empty``: no letter or digit; ``non_text``: under half of its visible characters are letters
  (timestamps, ids, log lines); ``header``: ends with ``:`` (``Here are 5 lines:``);
- ``echo``: repeats the prompt: it holds five consecutive words of the template's own text that
  the example does not hold (numbers ignored), or it is made only of the template's words
  (``at the end of each line``), or it is the example with only template words around it
  (``<example> put``);
- ``copy``: the example itself; ``near_copy``: similarity to the example >= ``near_copy_similarity``;
- ``duplicate``: the same as, or similarity >= the threshold to, a line already kept for the example;
- ``too_long``: longer than ``max_chars``; ``extra``: beyond the ``n`` lines asked (not a defect).

Similarity is the Jaccard index of character 4-gram sets of the normalised texts (lower case,
punctuation removed): 1 for the same text, near 0 for unrelated ones, robust to a changed word.

Pool metrics (:func:`pool_quality`; a pool = one class x backend x model x template):
``kept_rate`` = samples kept / lines asked; ``copy_rate`` = lines rejected as ``copy`` or
``near_copy`` / lines produced; ``distinct_2`` = distinct word bigrams / word bigrams over the
samples; ``mean_source_similarity`` over the samples; ``label_fidelity`` = share of samples the
judge model (M0) assigns to the target class, when judged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

REASONS = ("empty", "non_text", "header", "echo", "copy", "near_copy", "duplicate", "too_long", "extra")
COPY_REASONS = ("copy", "near_copy")
SHINGLE = 4
_WORD_RE = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form used to spot copies and duplicates."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    """Character ``k``-grams of the normalised text, padded so short texts have some."""
    padded = f" {normalise(text)} "
    if len(padded) <= k:
        return frozenset({padded})
    return frozenset(padded[i : i + k] for i in range(len(padded) - k + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def similarity(a: str, b: str) -> float:
    """Jaccard index of the character 4-gram sets of ``a`` and ``b`` (1 = same normalised text)."""
    return jaccard(shingles(a), shingles(b))


def _grams(norm: str, n: int = 5) -> set[tuple[str, ...]]:
    """Word ``n``-grams of a normalised text, numbers left out (``Generate 5 lines``)."""
    words = [w for w in norm.split() if not w.isdigit()]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def letter_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in visible) / len(visible) if visible else 0.0


@dataclass
class LineJudge:
    """Rejection rules for the lines of one example's replies (holds what was kept so far)."""

    source: str
    instruction: str = ""
    near_copy_similarity: float = 0.8
    max_chars: int = 0
    kept: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._source_norm = normalise(self.source)
        self._source_shingles = shingles(self.source)
        self._template_words = set(normalise(self.instruction).split())
        self._template_grams = _grams(normalise(self.instruction)) - _grams(self._source_norm)
        self._kept_norms = {normalise(k) for k in self.kept}
        self._kept_shingles = [shingles(k) for k in self.kept]

    def rejection(self, line: str) -> str | None:
        """Why ``line`` is rejected (one of :data:`REASONS` but ``extra``), or ``None``."""
        if not _WORD_RE.search(line):
            return "empty"
        if letter_share(line) < 0.5:
            return "non_text"
        if line.endswith(":"):
            return "header"
        norm = normalise(line)
        if self._is_echo(norm):
            return "echo"
        if norm == self._source_norm:
            return "copy"
        line_shingles = shingles(line)
        if jaccard(line_shingles, self._source_shingles) >= self.near_copy_similarity:
            return "near_copy"
        if norm in self._kept_norms or any(
            jaccard(line_shingles, k) >= self.near_copy_similarity for k in self._kept_shingles
        ):
            return "duplicate"
        if self.max_chars and len(line) > self.max_chars:
            return "too_long"
        return None

    def _is_echo(self, norm: str) -> bool:
        if _grams(norm) & self._template_grams:
            return True
        words = norm.split()
        if words and all(w in self._template_words for w in words):
            return True
        if self._source_norm and self._source_norm in norm:
            rest = norm.replace(self._source_norm, " ", 1).split()
            return bool(rest) and all(w in self._template_words for w in rest)
        return False

    def keep(self, line: str) -> None:
        self.kept.append(line)
        self._kept_norms.add(normalise(line))
        self._kept_shingles.append(shingles(line))


@dataclass(frozen=True)
class PoolExample:
    """What the cache knows of one example of a pool."""

    source_text: str
    asked: int
    samples: Sequence[str]
    produced: int | None = None  # lines the model produced (None: recorded before counting)
    rejected: dict[str, int] = field(default_factory=dict)
    judged: Sequence[bool] = ()  # per judged sample: assigned to the target class?


def distinct_n(texts: Iterable[str], n: int = 2) -> float:
    """Distinct word ``n``-grams / word ``n``-grams over ``texts`` (0 when there are none)."""
    grams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        words = normalise(text).split()
        grams.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    total = sum(grams.values())
    return len(grams) / total if total else 0.0


def pool_quality(examples: Sequence[PoolExample]) -> dict[str, object]:
    """The quality metrics of a pool (module docstring); rates are ``None`` without a denominator."""
    asked = sum(e.asked for e in examples)
    kept = sum(len(e.samples) for e in examples)
    counted = [e for e in examples if e.produced is not None]
    produced = sum(e.produced or 0 for e in counted)
    rejected: Counter[str] = Counter()
    for e in counted:
        rejected.update(e.rejected)
    copies = sum(rejected[r] for r in COPY_REASONS)
    sims = [similarity(s, e.source_text) for e in examples for s in e.samples]
    judged = [flag for e in examples for flag in e.judged]
    return {
        "examples": len(examples),
        "lines_asked": asked,
        "lines_produced": produced,
        "samples": kept,
        "kept_rate": _ratio(kept, asked),
        "copy_rate": _ratio(copies, produced),
        "rejected": {reason: int(rejected[reason]) for reason in REASONS if rejected[reason]},
        "distinct_2": round(distinct_n(s for e in examples for s in e.samples), 4),
        "mean_source_similarity": round(sum(sims) / len(sims), 4) if sims else None,
        "label_fidelity": _ratio(sum(judged), len(judged)),
        "judged_samples": len(judged),
    }


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None
