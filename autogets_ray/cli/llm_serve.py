"""``autogets llm-serve``: an OpenAI-compatible LLM app on the Ray cluster, through Ray Serve.

By default it deploys, prints the base URL and how to point the ``openai`` backend at it, and
serves until Ctrl-C (which removes the app). ``--detach`` leaves the app on a cluster joined with
``--address`` / ``$RAY_ADDRESS``; ``--shutdown`` removes it later.
"""

from __future__ import annotations

import os
import time
from typing import Any

import click

from autogets_ray.cli.options import parse_key_values
from autogets_ray.errors import UserInputError

#: Options that only the llama.cpp engine reads (vLLM takes --engine-kwarg instead).
_LLAMACPP_ONLY = ("threads", "parallel", "cpus_per_replica", "max_ongoing_requests")


@click.command(name="llm-serve")
@click.option(
    "--engine",
    type=click.Choice(["llamacpp", "vllm"]),
    default="llamacpp",
    show_default=True,
    help="llamacpp: GGUF models on CPUs (or a CUDA build); vllm: GPU clusters, needs ray[llm]",
)
@click.option(
    "--model",
    default="",
    help="a .gguf file (llamacpp; default: the shipped SmolLM2-135M) or a local model directory (vllm)",
)
@click.option("--name", default="", help="model id clients send [default: the file or directory name]")
@click.option("--replicas", type=int, default=1, show_default=True, help="Serve replicas of the model")
@click.option(
    "--cpus-per-replica",
    type=float,
    default=None,
    help="CPUs Ray reserves per replica [default: --threads] (llamacpp)",
)
@click.option(
    "--gpus-per-replica",
    type=float,
    default=None,
    help="GPU share per replica, e.g. 0.5 packs two on a GPU [default: 0 for llamacpp, "
    "1 for vllm]; llamacpp then offloads every layer (needs a CUDA build)",
)
@click.option("--threads", type=int, default=None, help="llama.cpp threads per replica [default: 1]")
@click.option(
    "--context-size",
    type=int,
    default=None,
    help="context tokens per slot (llamacpp, default 1024) or max_model_len (vllm)",
)
@click.option(
    "--parallel",
    type=int,
    default=None,
    help="llama.cpp slots per replica: sequences batched together [default: 10]",
)
@click.option(
    "--max-ongoing-requests",
    type=int,
    default=None,
    help="requests one replica takes at once [default: --parallel] (llamacpp)",
)
@click.option("--accelerator-type", default="", help="vllm: e.g. A10G, L4, A100 (Ray's accelerator names)")
@click.option(
    "--engine-kwarg",
    "engine_kwargs",
    multiple=True,
    metavar="KEY=VALUE",
    help="vllm: an engine argument, repeatable, e.g. --engine-kwarg enforce_eager=true",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="address Serve's HTTP proxy binds (0.0.0.0 for other machines)",
)
@click.option("--port", type=int, default=8000, show_default=True, help="Serve's HTTP port")
@click.option("--route-prefix", default="/", show_default=True, help="URL prefix of the app")
@click.option("--app-name", default="autogets-llm", show_default=True, help="Serve application name")
@click.option(
    "--address",
    default=None,
    help="Ray cluster to join (RAY_ADDRESS, e.g. auto) [default: $RAY_ADDRESS, else a local Ray]",
)
@click.option(
    "--detach/--no-detach",
    default=False,
    show_default=True,
    help="return at once, leaving the app on the cluster (needs --address or $RAY_ADDRESS)",
)
@click.option("--shutdown", "shutdown", is_flag=True, help="remove the app --app-name from the cluster")
def llm_serve(
    engine: str,
    model: str,
    name: str,
    replicas: int,
    cpus_per_replica: float | None,
    gpus_per_replica: float | None,
    threads: int | None,
    context_size: int | None,
    parallel: int | None,
    max_ongoing_requests: int | None,
    accelerator_type: str,
    engine_kwargs: tuple[str, ...],
    host: str,
    port: int,
    route_prefix: str,
    app_name: str,
    address: str | None,
    detach: bool,
    shutdown: bool,
) -> None:
    """Serve an LLM with Ray Serve: /v1/chat/completions, /v1/completions, /v1/models."""
    from autogets_ray.llm.serve_app import ServeOptions

    joined = bool(address or os.environ.get("RAY_ADDRESS"))
    if shutdown:
        _shutdown(app_name, address, joined)
        return
    if detach and not joined:
        raise UserInputError(
            "--detach leaves the app on a running cluster: give --address (or set "
            "RAY_ADDRESS); a local Ray ends with this command"
        )
    given = {
        "threads": threads,
        "parallel": parallel,
        "cpus_per_replica": cpus_per_replica,
        "max_ongoing_requests": max_ongoing_requests,
    }
    if engine == "vllm":
        used = [f"--{key.replace('_', '-')}" for key in _LLAMACPP_ONLY if given[key] is not None]
        if used:
            raise UserInputError(
                f"{', '.join(used)} apply to --engine llamacpp only; pass vLLM "
                f"settings with --engine-kwarg KEY=VALUE"
            )
    elif accelerator_type or engine_kwargs:
        raise UserInputError("--accelerator-type and --engine-kwarg apply to --engine vllm only")
    default_gpus = 1.0 if engine == "vllm" else 0.0
    options = ServeOptions(
        replicas=replicas,
        cpus_per_replica=cpus_per_replica,
        gpus_per_replica=default_gpus if gpus_per_replica is None else gpus_per_replica,
        max_ongoing_requests=max_ongoing_requests,
        host=host,
        port=port,
        route_prefix=route_prefix,
        app_name=app_name,
    )
    deploy = (
        _vllm_deployer(model, name, options, context_size, accelerator_type, engine_kwargs)
        if engine == "vllm"
        else _llamacpp_deployer(model, name, options, threads, context_size, parallel)
    )

    _connect(address)
    served_name, base_url = deploy()
    _print_hints(engine, served_name, base_url, options)
    if detach:
        click.echo(
            f"left {app_name!r} on the cluster; remove it with: autogets llm-serve --shutdown "
            f"--app-name {app_name}" + (f" --address {address}" if address else ""),
            err=True,
        )
        return
    click.echo("serving until Ctrl-C (which removes the app)", err=True)
    try:
        while True:
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    _remove(app_name, joined)


def _llamacpp_deployer(
    model: str, name: str, options: Any, threads: int | None, context_size: int | None, parallel: int | None
) -> Any:
    """Checks the options now (before Ray starts); the returned call deploys."""
    from autogets_ray.llm.llamacpp import EngineOptions, locate_gguf
    from autogets_ray.llm.serve_app import deploy_llamacpp, model_name

    defaults = EngineOptions()
    engine = EngineOptions(
        threads=defaults.threads if threads is None else threads,
        context_size=defaults.context_size if context_size is None else context_size,
        parallel=defaults.parallel if parallel is None else parallel,
    )
    served = model_name(locate_gguf(model), name)
    return lambda: (served, deploy_llamacpp(model, name, engine, options))


def _vllm_deployer(
    model: str,
    name: str,
    options: Any,
    context_size: int | None,
    accelerator_type: str,
    engine_kwargs: tuple[str, ...],
) -> Any:
    from autogets_ray.llm.serve_app import deploy_vllm, vllm_llm_config

    config = vllm_llm_config(
        model,
        name,
        replicas=options.replicas,
        gpus_per_replica=options.gpus_per_replica,
        accelerator_type=accelerator_type,
        context_size=context_size,
        engine_kwargs=parse_key_values(engine_kwargs, "--engine-kwarg"),
    )
    served = config["model_loading_config"]["model_id"]
    return lambda: (served, deploy_vllm(config, options))


def _print_hints(engine: str, name: str, base_url: str, options: Any) -> None:
    """The base URL on its own line (scripts read it), then how to use it."""
    click.echo(base_url)
    click.echo(
        f"serving {name!r} with {engine}, {options.replicas} replica(s), app "
        f"{options.app_name!r}; generate against it with:",
        err=True,
    )
    click.echo(f'  --backend openai --model {name} --base-url {base_url} --api-key-env ""', err=True)
    mapping = f'{{backend: openai, model: {name}, base_url: {base_url}, api_key_env: ""}}'
    click.echo("or in a generation config (autogets generate --config) / an experiment config:", err=True)
    click.echo(f"  generation: {mapping}", err=True)
    click.echo(f"  llm: {mapping}", err=True)


def _remove(app_name: str, joined: bool) -> None:
    from autogets_ray.llm.serve_app import delete_app, shutdown_serve

    try:
        delete_app(app_name)
        if not joined:  # our own local Ray: nothing else uses its Serve
            shutdown_serve()
    except Exception as exc:  # noqa: BLE001  (Ctrl-C may have reached Ray's processes first)
        click.echo(f"could not remove {app_name!r} cleanly ({type(exc).__name__}: {exc})", err=True)
        return
    click.echo(f"removed {app_name!r}", err=True)


def _connect(address: str | None) -> None:
    """Join ``address`` when given, else as every command does (``$RAY_ADDRESS`` or a local Ray)."""
    import ray

    from autogets_ray.ray_session import ensure_ray

    if address and not ray.is_initialized():
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    ensure_ray()


def _shutdown(app_name: str, address: str | None, joined: bool) -> None:
    if not joined:
        raise UserInputError(
            "--shutdown removes an app from a running cluster: give --address (or set "
            "RAY_ADDRESS); an app on a local Ray ended with its command"
        )
    from autogets_ray.llm.serve_app import delete_app

    _connect(address)
    if delete_app(app_name):
        click.echo(f"removed {app_name!r} from the cluster", err=True)
    else:
        click.echo(f"no app {app_name!r} on the cluster", err=True)
