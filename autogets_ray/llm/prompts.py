"""Prompt templates: a registry of named, versioned templates, and the adapter that renders them.

A template is either a **chat** prompt (system + user message, the reply holds all lines) or a
**continuation** prompt (plain text the model continues; each sampled continuation, cut at the
first newline, is one line). Its id ``<name>-v<version>`` is part of every cache key, so editing a
template's text means a new version, and samples made with the old text are never served for it.

- ``paper`` (chat): the paper's prompt (App. B.1), one user message, ``Generate <n> lines of the
  data similar to this format data: <text> put & at the end of each line``. Large chat models
  follow it; small ones echo the example and the word "put".
- ``list`` (continuation): ``Below are realistic <kind>s, one per line.\\n1. <text>\\n2.``. Small
  models follow a list far better than an instruction.
- ``chat`` (chat): a clear instruction with a system message: new tickets, same style and topic,
  each different from the example and from each other, one a line ending with ``&``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autogets_ray.errors import UserInputError
from autogets_ray.llm.types import GenerationRequest, Prompt
from autogets_ray.registry import Registry


@dataclass(frozen=True)
class Template:
    """One prompt template; ``pattern`` (and ``system``) take ``{n}``, ``{text}`` and ``{kind}``."""

    name: str
    version: int
    chat: bool
    pattern: str
    description: str
    system: str = ""

    @property
    def id(self) -> str:
        """``<name>-v<version>``: what the cache key holds."""
        return f"{self.name}-v{self.version}"

    def instruction(self, kind: str = "support ticket") -> str:
        """The template's own words, without the example (what an echoing reply repeats)."""
        return " ".join(
            part
            for part in (self.system.format(kind=kind), self.pattern.format(n="", text=" ", kind=kind))
            if part
        )


PAPER = Template(
    "paper",
    1,
    True,
    "Generate {n} lines of the data similar to this format data: {text} put & at the end of each line",
    "the paper's prompt (App. B.1), one user message; the default for openai",
)
LIST = Template(
    "list",
    1,
    False,
    "Below are realistic {kind}s, one per line.\n1. {text}\n2.",
    "list continuation, what small models follow; one sampled continuation per line; the "
    "default for local-lm",
)
CHAT = Template(
    "chat",
    1,
    True,
    "Write {n} new {kind}s in the same style and on the same topic as this example, each "
    "different from it and from each other. One {kind} per line, each line ending with &. No "
    "numbering, no other text. Example: {text}",
    "a clear chat instruction with a system message (instruct models of 1B+ parameters)",
    system="You write realistic synthetic IT {kind}s.",
)

#: name -> template (the current version of each); ``template:`` in a config picks one by name.
TEMPLATES: Registry[Template] = Registry("prompt template")
for _template in (PAPER, LIST, CHAT):
    TEMPLATES.register(_template.name, help=_template.description)(lambda t=_template: t)
#: Every version ever shipped, by id, so a pinned id (``paper-v1``) keeps working.
TEMPLATE_VERSIONS: dict[str, Template] = {t.id: t for t in (PAPER, LIST, CHAT)}

_PAPER_RE = re.compile(
    r"^\s*Generate\s+(\d+)\s+lines of the data similar to this format data:\s?(.*?)\s?"
    r"put & at the end of each line\s*$",
    re.DOTALL,
)


def get_template(name: str) -> Template:
    """The template ``name`` (current version) or a pinned ``<name>-v<version>``."""
    if name in TEMPLATE_VERSIONS:
        return TEMPLATE_VERSIONS[name]
    if name not in TEMPLATES.names():
        raise UserInputError(
            f"unknown prompt template {name!r}; choose one of: "
            f"{', '.join(TEMPLATES.names())} (or a pinned version: "
            f"{', '.join(sorted(TEMPLATE_VERSIONS))})"
        )
    return TEMPLATES.create(name)


class PromptAdapter:
    """Renders a :class:`GenerationRequest` with one template (a backend owns one adapter)."""

    def __init__(self, template: Template, kind: str = "support ticket") -> None:
        self.template = template
        self.kind = kind

    @property
    def version(self) -> str:
        """The template id (``paper-v1``): part of the cache key."""
        return self.template.id

    def instruction(self) -> str:
        return self.template.instruction(self.kind)

    def render(self, request: GenerationRequest) -> Prompt:
        text = " ".join(request.text.split())  # one line: the reply format is one sample per line
        body = self.template.pattern.format(n=request.n, text=text, kind=self.kind)
        system = self.template.system.format(kind=self.kind)
        return Prompt(
            text=body, chat=self.template.chat, request=request, template=self.version, system=system
        )


def parse_paper_prompt(message: str) -> tuple[int, str] | None:
    """Inverse of ``paper``: ``(n, example text)``, or ``None`` if ``message`` is not that prompt."""
    match = _PAPER_RE.match(message)
    if not match:
        return None
    return int(match.group(1)), match.group(2).strip()
