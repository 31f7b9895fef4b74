"""OpenAI-style request bodies and replies, shared by every backend that speaks that JSON.

A chat template becomes one ``/v1/chat/completions`` request (system + user message, ``n=1``: the
reply holds the lines). A continuation template becomes one ``/v1/completions`` request with
``n`` choices and ``stop=["\\n"]``: each choice is one line, at most ``per_line_tokens`` long.

Each request's seed is derived from (seed, example, first line index, attempt), so a retry of an
unusable reply samples anew while the same request always asks the same thing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from autogets_ray.llm.backends.base import estimate_tokens
from autogets_ray.llm.types import Completion, Prompt

CHAT = "chat"
COMPLETIONS = "completions"


def request_seed(prompt: Prompt) -> int:
    """A 31-bit seed of (seed, example text, first index, attempt)."""
    request = prompt.request
    key = f"{request.params.seed}\x1f{request.text}\x1f{request.first_index}\x1f{request.attempt}".encode(
        "utf-8"
    )
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") >> 1


def per_line_tokens(prompt: Prompt) -> int:
    """Token cap of one continuation line: about three times the example, within the budget."""
    request = prompt.request
    return max(16, min(request.params.max_tokens // max(request.n, 1), 3 * estimate_tokens(request.text) + 8))


def request_body(prompt: Prompt, model: str) -> tuple[str, dict[str, Any]]:
    """``(endpoint kind, body)`` of one request for ``prompt``."""
    params = prompt.request.params
    body: dict[str, Any] = {
        "model": model,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "frequency_penalty": params.frequency_penalty,
        "presence_penalty": params.presence_penalty,
        "seed": request_seed(prompt),
    }
    if prompt.chat:
        messages = [{"role": "system", "content": prompt.system}] if prompt.system else []
        messages.append({"role": "user", "content": prompt.text})
        body.update(messages=messages, max_tokens=params.max_tokens, n=1)
        return CHAT, body
    body.update(prompt=prompt.text, max_tokens=per_line_tokens(prompt), n=prompt.request.n, stop=["\n"])
    return COMPLETIONS, body


class ReplyError(ValueError):
    """A reply without the content its request asked for."""


def completion_from_reply(kind: str, reply: dict[str, Any]) -> Completion:
    """The reply's text (a continuation's choices joined one a line) and its token usage."""
    choices = reply.get("choices") or []
    if kind == CHAT:
        message = (choices[0] or {}).get("message") if choices else None
        text = (message or {}).get("content")
        if not isinstance(text, str) or not text.strip():
            raise ReplyError("no message content")
    else:
        lines = [c.get("text") for c in choices if isinstance(c, dict)]
        if not lines or not all(isinstance(line, str) for line in lines):
            raise ReplyError("no completion choices")
        text = "\n".join(line.strip().split("\n")[0] for line in lines)
    usage = reply.get("usage") or {}
    return Completion(text, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
