"""The one small interface every LLM backend implements, and the registry of backends.

A backend only turns a prompt into text (docs/design.md#code-shape): cache, rate limits and retries wrap it
(:mod:`autogets_ray.llm.generator`). Each backend owns its prompt adapter, because small local
models need a different prompt from a chat model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.prompts import PromptAdapter
from autogets_ray.llm.types import Completion, GenerationRequest, Prompt
from autogets_ray.registry import Registry


class BackendError(Exception):
    """A failed backend call; ``retryable`` for 429, 5xx, timeouts and malformed replies.

    ``connection`` says what went wrong reaching the server ("connection refused", ...), empty
    for any other failure: the generator stops every example after a few in a row, because a
    server that is down fails each of them the same way.
    """

    def __init__(
        self,
        message: str,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
        backoff: bool = True,
        connection: str = "",
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.backoff = backoff
        self.connection = connection


class Backend(ABC):
    """Prompt in, text out. Subclasses set ``adapter`` and implement :meth:`complete`."""

    name: str = ""
    adapter: PromptAdapter
    #: Defaults used when the config leaves rate limits / prices unset (0 = unlimited / free).
    default_requests_per_minute: float = 0.0
    default_tokens_per_minute: float = 0.0
    default_price_in_per_1k: float = 0.0
    default_price_out_per_1k: float = 0.0
    #: Concurrent calls when ``max_in_flight`` is unset.
    default_max_in_flight: int = 8
    #: Whether calls go to a server (retries of unusable replies then back off; local ones don't).
    remote: bool = False
    #: The server's URL, named when it cannot be reached ("" for local backends).
    endpoint: str = ""
    #: Whether :meth:`set_class_texts` matters (the Ray actor then ships the texts once).
    uses_class_texts: bool = False

    def render(self, request: GenerationRequest) -> Prompt:
        return self.adapter.render(request)

    @abstractmethod
    def model_id(self, label: str | None) -> str:
        """What generated the samples of ``label``: part of every cache key."""

    @abstractmethod
    def complete(self, prompt: Prompt) -> Completion:
        """One call: the raw reply text and its token usage; raise :class:`BackendError` on failure."""

    def set_class_texts(self, class_texts: Mapping[str, Sequence[str]]) -> None:
        """Real training texts per class (the ``ngram`` backend learns from them; others ignore)."""

    def class_fingerprints(self) -> dict[str, str]:
        """label -> fingerprint of the texts it holds (see :func:`keys.texts_fingerprint`)."""
        return {}

    def close(self) -> None:
        """Release clients, models, threads."""


#: name -> factory ``(config, class_texts) -> Backend``; the CLI's ``--backend`` choices.
BACKENDS: Registry[Backend] = Registry("LLM backend")


def create_backend(
    config: GenerationConfig, class_texts: Mapping[str, Sequence[str]] | None = None
) -> Backend:
    """The registered backend ``config.backend``, fed the class texts when given."""
    from autogets_ray.llm import backends as _  # noqa: F401  (registers the built-in backends)

    backend = BACKENDS.create(config.backend, config)
    if class_texts:
        backend.set_class_texts(class_texts)
    return backend


def estimate_tokens(text: str) -> int:
    """Rough token count (about 4 characters a token) for budgets and local backends."""
    return max(1, (len(text) + 3) // 4)
