"""``openai``: chat completions through the official client, against any OpenAI-compatible endpoint.

OpenAI, Azure OpenAI (its ``/openai/v1`` base URL), vLLM, Ollama, llama.cpp's server or this
project's ``autogets llm-server``: set ``base_url`` and ``model``. The key is read from the
environment variable named by ``api_key_env`` when the backend is created, and is never logged,
cached or written (error messages are built without it and scrubbed of it).

The client's own retries are off (``max_retries=0``): :mod:`autogets_ray.llm.retry` retries, so
every attempt is counted, jittered from the seed and rate-limited.
"""

from __future__ import annotations

import os
import re
import socket

from autogets_ray.errors import UserInputError
from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError
from autogets_ray.llm.backends.openai_format import (
    CHAT,
    ReplyError,
    completion_from_reply,
    request_body,
)
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.prompts import PromptAdapter, get_template
from autogets_ray.llm.retry import parse_retry_after
from autogets_ray.llm.types import Completion, Prompt

DEFAULT_MODEL = "gpt-3.5-turbo"  # the paper's GPT-3.5
#: Requests in flight against a self-hosted endpoint (vLLM batches 64-256; OpenAI's 8 starve it).
SELF_HOSTED_IN_FLIGHT = 64
PLACEHOLDER_KEY = "no-key"
_RETRYABLE_STATUS = {408, 409, 425, 429}
_KEYLIKE_RE = re.compile(r"\bsk-[A-Za-z0-9*_\-]{6,}")


def read_api_key(env_name: str) -> str:
    """The key from ``$env_name``; ``env_name`` empty means an endpoint that needs none."""
    if not env_name:
        return PLACEHOLDER_KEY
    key = os.environ.get(env_name, "")
    if not key:
        raise UserInputError(
            f"the openai backend reads its API key from the environment variable {env_name} "
            f"(api_key_env={env_name!r}), which is not set; export it, or set api_key_env to an "
            f"empty string for an endpoint that needs no key"
        )
    return key


def is_openai_url(base_url: str) -> bool:
    """Whether ``base_url`` is OpenAI's own API (empty = the client's default, OpenAI)."""
    return not base_url or "api.openai.com" in base_url


class OpenAIBackend(Backend):
    """One request per prompt: chat completions for chat templates, completions for continuations.

    Continuation templates (``list``) need an endpoint with ``/v1/completions`` (vLLM, llama.cpp,
    ``autogets llm-serve``); OpenAI's chat models take chat templates. Against a self-hosted
    ``base_url`` the defaults are no rate limit, 64 requests in flight and no price.
    """

    name = "openai"
    remote = True
    default_requests_per_minute = 500.0
    default_tokens_per_minute = 200_000.0
    default_price_in_per_1k = 0.0005  # GPT-3.5-turbo list price, USD
    default_price_out_per_1k = 0.0015

    def __init__(self, config: GenerationConfig) -> None:
        import openai  # a core dependency, imported lazily to keep `import autogets_ray.llm` light

        self.config = config
        self.model = config.model or DEFAULT_MODEL
        self.adapter = PromptAdapter(get_template(config.template or "paper"), config.prompt_kind)
        if not self.adapter.template.chat and is_openai_url(config.base_url):
            raise UserInputError(
                f"template {self.adapter.template.name!r} continues text through "
                f"/v1/completions, which OpenAI's chat models do not serve; use a chat "
                f"template (paper, chat) or a self-hosted base_url"
            )
        if not is_openai_url(config.base_url):  # self-hosted: no quota to respect, batching to feed
            self.default_requests_per_minute = 0.0
            self.default_tokens_per_minute = 0.0
            self.default_max_in_flight = SELF_HOSTED_IN_FLIGHT
            self.default_price_in_per_1k = self.default_price_out_per_1k = 0.0
        self._openai = openai
        self._key = read_api_key(config.api_key_env)
        self._endpoint = config.base_url or "https://api.openai.com/v1"
        self.endpoint = self._endpoint
        self.client = openai.OpenAI(
            api_key=self._key,
            base_url=config.base_url or None,
            timeout=config.timeout_s,
            max_retries=0,
        )

    def model_id(self, label: str | None) -> str:
        return self.model

    def complete(self, prompt: Prompt) -> Completion:
        openai = self._openai
        kind, body = request_body(prompt, self.model)
        endpoint = self.client.chat.completions if kind == CHAT else self.client.completions
        try:
            response = endpoint.create(**body)
        except openai.APITimeoutError:
            raise BackendError(
                f"no reply from {self._endpoint} within {self.config.timeout_s:g} s (timeout_s)",
                retryable=True,
            ) from None
        except openai.APIConnectionError as exc:
            reason = connection_reason(exc)
            raise BackendError(
                self._scrub(f"cannot connect to {self._endpoint}: {reason}"),
                retryable=True,
                connection=reason,
            ) from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except (openai.APIResponseValidationError, ValueError, TypeError) as exc:
            raise BackendError(
                self._scrub(f"malformed reply from {self._endpoint}: {exc}"), retryable=True
            ) from None
        try:
            return completion_from_reply(kind, response.model_dump())
        except (ReplyError, AttributeError) as exc:
            raise BackendError(f"malformed reply from {self._endpoint}: {exc}", retryable=True) from None

    def _status_error(self, exc: "object") -> BackendError:
        status = int(getattr(exc, "status_code", 0) or 0)
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", {}) or {}
        retry_after = parse_retry_after(headers)
        if status in (401, 403):
            return BackendError(
                f"HTTP {status} from {self._endpoint}: authentication refused; check the key in "
                f"${self.config.api_key_env} and the model's access",
                retryable=False,
                status=status,
            )
        try:
            body = (getattr(response, "text", "") or "")[:200]
        except Exception:  # a streamed or closed body
            body = ""
        retryable = status in _RETRYABLE_STATUS or status >= 500
        message = f"HTTP {status} from {self._endpoint}" + (f": {body}" if body else "")
        return BackendError(self._scrub(message), retryable=retryable, retry_after=retry_after, status=status)

    def _scrub(self, message: str) -> str:
        if self._key and self._key != PLACEHOLDER_KEY:
            message = message.replace(self._key, "***")
        return _KEYLIKE_RE.sub("***", message)

    def close(self) -> None:
        self.client.close()


def connection_reason(exc: BaseException) -> str:
    """Why a connection failed, in words: the client only says "Connection error."."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ConnectionResetError) or "disconnected" in str(cause).lower():
            return "connection closed before a reply"
        cause = cause.__cause__ or cause.__context__
    return f"connection failed ({exc})"


@BACKENDS.register("openai", help="official openai client, any OpenAI-compatible base URL")
def _openai(config: GenerationConfig) -> Backend:
    return OpenAIBackend(config)
