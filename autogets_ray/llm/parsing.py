"""Turn a messy LLM reply into at most ``n`` clean samples (paper App. B.1 reply format).

Rules, in order, for every line of the reply (lines are split at newlines and at an ``&`` that
ends a line or is followed by whitespace, the paper's end-of-line marker; ``R&D`` stays intact):

1. strip numbering and bullets (``1.``, ``2)``, ``(3)``, ``- ``, ``* ``, ``•``, ``Line 4:``),
   surrounding quotes and whitespace;
2. drop blank lines and lines with no letter or digit;
3. drop headers and preambles: a line ending in ``:`` (``Here are 5 lines ...:``);
4. drop copies of the source example and duplicates (compared case-, space- and
   punctuation-insensitively);
5. drop over-long lines (more than ``max_chars``; default ``max(4 x len(source), 200)``);
6. keep the first ``n``.

:class:`ParsedReply` records how many lines were asked for and kept, and why others were dropped.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_SPLIT_RE = re.compile(r"\r?\n|\s*&(?=\s|$)")
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:line|sample|example)\s*\d+\s*[:.)\-]|\(?\d{1,3}\s*[.):\]]|\d{1,3}\s+-|[-*\u2022\u00b7\u2013\u2014>#]+)\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_HAS_WORD_RE = re.compile(r"\w")


@dataclass(frozen=True)
class ParsedReply:
    """Clean samples and the bookkeeping of a parse."""

    samples: list[str]
    asked: int
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return len(self.samples)


def normalise(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form used to spot copies and duplicates."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


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


def parse_reply(reply: str, source: str, n: int, max_chars: int = 0,
                seen: set[str] | None = None) -> ParsedReply:
    """At most ``n`` clean samples from ``reply``; ``seen`` (normalised) samples count as duplicates."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    limit = max_chars or auto_max_chars(source)
    known = set(seen or ())
    source_norm = normalise(source)
    dropped: Counter[str] = Counter()
    samples: list[str] = []
    for raw in _SPLIT_RE.split(reply or ""):
        line = clean_line(raw)
        if not line or not _HAS_WORD_RE.search(line):
            if raw.strip():
                dropped["empty"] += 1
            continue
        if line.endswith(":"):
            dropped["header"] += 1
            continue
        norm = normalise(line)
        if norm == source_norm:
            dropped["copy"] += 1
            continue
        if norm in known:
            dropped["duplicate"] += 1
            continue
        if len(line) > limit:
            dropped["too_long"] += 1
            continue
        if len(samples) >= n:
            dropped["extra"] += 1
            continue
        known.add(norm)
        samples.append(line)
    return ParsedReply(samples=samples, asked=n, dropped=dict(dropped))
