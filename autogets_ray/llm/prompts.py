"""Versioned prompt templates and the adapters that turn a request into a backend's prompt.

``paper-v1`` is the paper's prompt (App. B.1), sent as one chat message:
``Generate <n> lines of the data similar to this format data: <text> put & at the end of each line``.
``list-v1`` is a list-continuation prompt for small local models, which follow it far better than a
chat instruction: ``Below are realistic <kind>s, one per line.\\n1. <text>\\n2.`` (one line per
sampled continuation, cut at the newline).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from autogets_ray.llm.types import GenerationRequest, Prompt


@dataclass(frozen=True)
class Template:
    version: str
    chat: bool
    pattern: str
    description: str


TEMPLATES: dict[str, Template] = {
    "paper-v1": Template(
        "paper-v1", True,
        "Generate {n} lines of the data similar to this format data: {text} put & at the end of each line",
        "the paper's prompt (App. B.1), one chat message",
    ),
    "list-v1": Template(
        "list-v1", False,
        "Below are realistic {kind}s, one per line.\n1. {text}\n2.",
        "list continuation for small local models; one sampled continuation per line",
    ),
}

_PAPER_RE = re.compile(
    r"^\s*Generate\s+(\d+)\s+lines of the data similar to this format data:\s?(.*?)\s?"
    r"put & at the end of each line\s*$",
    re.DOTALL,
)


def get_template(version: str, chat: bool) -> Template:
    """The template ``version``, checked to fit a chat (``chat=True``) or a continuation backend."""
    if version not in TEMPLATES:
        raise ValueError(
            f"unknown template_version {version!r}; choose one of: {', '.join(sorted(TEMPLATES))}"
        )
    template = TEMPLATES[version]
    if template.chat != chat:
        kind = "a chat" if chat else "a text-continuation"
        fitting = [v for v, t in TEMPLATES.items() if t.chat == chat]
        raise ValueError(
            f"template_version {version!r} does not fit {kind} backend; use one of: {', '.join(fitting)}"
        )
    return template


class PromptAdapter:
    """Renders a :class:`GenerationRequest` with one template (a backend owns one adapter)."""

    def __init__(self, template: Template, kind: str = "support ticket") -> None:
        self.template = template
        self.kind = kind

    @property
    def version(self) -> str:
        return self.template.version

    def render(self, request: GenerationRequest) -> Prompt:
        text = " ".join(request.text.split())  # one line: the reply format is one sample per line
        body = self.template.pattern.format(n=request.n, text=text, kind=self.kind)
        return Prompt(text=body, chat=self.template.chat, request=request, template=self.version)


def parse_paper_prompt(message: str) -> tuple[int, str] | None:
    """Inverse of ``paper-v1``: ``(n, example text)``, or ``None`` if ``message`` is not that prompt."""
    match = _PAPER_RE.match(message)
    if not match:
        return None
    return int(match.group(1)), match.group(2).strip()
