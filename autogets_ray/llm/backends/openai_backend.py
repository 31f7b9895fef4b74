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

from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.prompts import PromptAdapter, get_template
from autogets_ray.llm.retry import parse_retry_after
from autogets_ray.llm.types import Completion, Prompt

DEFAULT_MODEL = "gpt-3.5-turbo"  # the paper's GPT-3.5
PLACEHOLDER_KEY = "no-key"
_RETRYABLE_STATUS = {408, 409, 425, 429}
_KEYLIKE_RE = re.compile(r"\bsk-[A-Za-z0-9*_\-]{6,}")


def read_api_key(env_name: str) -> str:
    """The key from ``$env_name``; ``env_name`` empty means an endpoint that needs none."""
    if not env_name:
        return PLACEHOLDER_KEY
    key = os.environ.get(env_name, "")
    if not key:
        raise ValueError(
            f"the openai backend reads its API key from the environment variable {env_name} "
            f"(api_key_env={env_name!r}), which is not set; export it, or set api_key_env to an "
            f"empty string for an endpoint that needs no key"
        )
    return key


class OpenAIBackend(Backend):
    """One chat completion per request with the paper's prompt and parameters."""

    name = "openai"
    remote = True
    default_requests_per_minute = 500.0
    default_tokens_per_minute = 200_000.0
    default_price_in_per_1k = 0.0005   # GPT-3.5-turbo list price, USD
    default_price_out_per_1k = 0.0015

    def __init__(self, config: GenerationConfig) -> None:
        import openai  # a core dependency, imported lazily to keep `import autogets_ray.llm` light

        self.config = config
        self.model = config.model or DEFAULT_MODEL
        self.adapter = PromptAdapter(get_template(config.template_version or "paper-v1", chat=True),
                                     config.prompt_kind)
        self._openai = openai
        self._key = read_api_key(config.api_key_env)
        self._endpoint = config.base_url or "https://api.openai.com/v1"
        self.client = openai.OpenAI(
            api_key=self._key,
            base_url=config.base_url or None,
            timeout=config.timeout_s,
            max_retries=0,
        )

    def model_id(self, label: str | None) -> str:
        return self.model

    def complete(self, prompt: Prompt) -> Completion:
        params = prompt.request.params
        openai = self._openai
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": prompt.text}],
                temperature=params.temperature,
                max_tokens=params.max_tokens,
                top_p=params.top_p,
                frequency_penalty=params.frequency_penalty,
                presence_penalty=params.presence_penalty,
                seed=params.seed,
                n=1,
            )
        except openai.APITimeoutError:
            raise BackendError(f"no reply from {self._endpoint} within {self.config.timeout_s:g} s "
                               f"(timeout_s)", retryable=True) from None
        except openai.APIConnectionError as exc:
            raise BackendError(self._scrub(f"cannot connect to {self._endpoint}: {exc}"),
                               retryable=True) from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except (openai.APIResponseValidationError, ValueError, TypeError) as exc:
            raise BackendError(self._scrub(f"malformed reply from {self._endpoint}: {exc}"),
                               retryable=True) from None
        return self._completion(response, prompt)

    def _completion(self, response: object, prompt: Prompt) -> Completion:
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        text = getattr(message, "content", None)
        if not isinstance(text, str) or not text.strip():
            raise BackendError(f"malformed reply from {self._endpoint}: no message content",
                               retryable=True)
        usage = getattr(response, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        return Completion(text, tokens_in, tokens_out)

    def _status_error(self, exc: "object") -> BackendError:
        status = int(getattr(exc, "status_code", 0) or 0)
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", {}) or {}
        retry_after = parse_retry_after(headers)
        if status in (401, 403):
            return BackendError(
                f"HTTP {status} from {self._endpoint}: authentication refused; check the key in "
                f"${self.config.api_key_env} and the model's access", retryable=False, status=status)
        try:
            body = (getattr(response, "text", "") or "")[:200]
        except Exception:  # a streamed or closed body
            body = ""
        retryable = status in _RETRYABLE_STATUS or status >= 500
        message = f"HTTP {status} from {self._endpoint}" + (f": {body}" if body else "")
        return BackendError(self._scrub(message), retryable=retryable, retry_after=retry_after,
                            status=status)

    def _scrub(self, message: str) -> str:
        if self._key and self._key != PLACEHOLDER_KEY:
            message = message.replace(self._key, "***")
        return _KEYLIKE_RE.sub("***", message)

    def close(self) -> None:
        self.client.close()


@BACKENDS.register("openai", help="official openai client, any OpenAI-compatible base URL")
def _openai(config: GenerationConfig) -> Backend:
    return OpenAIBackend(config)
