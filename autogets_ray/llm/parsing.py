"""Turn a messy LLM reply into at most ``n`` clean samples (paper App. B.1 reply format).

Lines are split at newlines and at an ``&`` that ends a line or is followed by whitespace (the
paper's end-of-line marker; ``R&D`` stays intact). Each line loses its numbering and bullets
(``1.``, ``2)``, ``(3)``, ``- ``, ``* ``, ``•``, ``Line 4:``), surrounding quotes and whitespace,
and is then judged by the quality filter (:mod:`autogets_ray.llm.quality`: empty, non-text,
header, prompt echo, copy or near-copy of the example, duplicate of another sample, over-long
(default ``max(4 x len(source), 200)`` characters)); the first ``n`` accepted lines are kept.

:class:`ParsedReply` records how many lines were asked, produced and kept, and why others were
rejected (a count per reason).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from autogets_ray.llm.quality import LineJudge, normalise

__all__ = ["ParsedReply", "auto_max_chars", "clean_line", "normalise", "parse_reply"]

_SPLIT_RE = re.compile(r"\r?\n|\s*&(?=\s|$)")
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:line|sample|example)\s*\d+\s*[:.)\-]|\(?\d{1,3}\s*[.):\]]|\d{1,3}\s+-|[-*\u2022\u00b7\u2013\u2014>#]+)\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"


@dataclass(frozen=True)
class ParsedReply:
    """Clean samples and the bookkeeping of a parse."""

    samples: list[str]
    asked: int
    dropped: dict[str, int] = field(default_factory=dict)
    produced: int = 0  # non-blank lines in the reply

    @property
    def kept(self) -> int:
        return len(self.samples)


def auto_max_chars(source: str) -> int:
    return max(4 * len(source), 200)


def clean_line(line: str) -> str:
    """One line without numbering, bullets, the ``&`` marker, quotes or surrounding space."""
    line = line.strip()
    previous = None
    while previous != line:  # "1. - text" or "* 2) text"
        previous = line
        line = _PREFIX_RE.sub("", line, count=1).strip()
    line = line.rstrip("&").strip()
    if len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:
        line = line[1:-1].strip()
    return line


def parse_reply(
    reply: str,
    source: str,
    n: int,
    max_chars: int = 0,
    seen: Iterable[str] = (),
    instruction: str = "",
    near_copy_similarity: float = 0.8,
) -> ParsedReply:
    """At most ``n`` clean samples from ``reply``.

    ``seen``: samples already kept for this example (a top-up's earlier lines), which new lines
    must not duplicate; ``instruction``: the prompt template's own words (echoes are rejected).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    judge = LineJudge(
        source, instruction, near_copy_similarity, max_chars or auto_max_chars(source), kept=list(seen)
    )
    dropped: Counter[str] = Counter()
    samples: list[str] = []
    produced = 0
    for raw in _SPLIT_RE.split(reply or ""):
        if not raw.strip():
            continue
        produced += 1
        line = clean_line(raw)
        reason = judge.rejection(line)
        if reason is None and len(samples) >= n:
            reason = "extra"
        if reason is not None:
            dropped[reason] += 1
            continue
        judge.keep(line)
        samples.append(line)
    return ParsedReply(samples=samples, asked=n, dropped=dict(dropped), produced=produced)
