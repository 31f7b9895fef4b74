"""``autogets llm-server``: the local OpenAI-compatible server, for demos and fault drills."""

from __future__ import annotations

from typing import Any

import click

from autogets_ray.cli.options import dataset_options, parse_key_values
from autogets_ray.data.datasets import DatasetRequest, load_dataset
from autogets_ray.data.splits import paper_split


@click.command(name="llm-server")
@dataset_options
@click.option(
    "--backend",
    type=click.Choice(["ngram", "local-lm"]),
    default="ngram",
    show_default=True,
    help="what answers the prompts",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="address to bind (loopback by default)")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--latency", type=float, default=0.0, show_default=True, help="seconds added to every reply")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND=RATE",
    help="inject a fault with a probability, repeatable: 429, 500, slow, empty, malformed, short",
)
@click.option("--retry-after", type=float, default=1.0, show_default=True, help="Retry-After of a 429")
@click.option("--slow", "slow_s", type=float, default=5.0, show_default=True, help="delay of a slow reply")
@click.option("--seed", type=int, default=0, show_default=True)
def llm_server(
    dataset_request: DatasetRequest,
    backend: str,
    host: str,
    port: int,
    latency: float,
    faults: tuple[str, ...],
    retry_after: float,
    slow_s: float,
    seed: int,
) -> None:
    """Serve /v1/chat/completions and /v1/models from the ngram or local-lm backend."""
    from autogets_ray.llm import GenerationConfig
    from autogets_ray.llm.backends import create_backend
    from autogets_ray.llm.data import class_texts
    from autogets_ray.llm.server import Faults, LocalLLMServer

    rates: dict[str, Any] = {str(k): float(v) for k, v in parse_key_values(faults, "--fault").items()}
    texts = None
    if backend == "ngram":  # learns every class of the dataset's training split
        texts = class_texts(paper_split(load_dataset(dataset_request), seed=42))
    server = LocalLLMServer(
        create_backend(GenerationConfig(backend=backend, seed=seed), texts),
        Faults(rates=rates, retry_after=retry_after, slow_s=slow_s, latency_s=latency, seed=seed),
        host=host,
        port=port,
    )
    click.echo(f"serving {backend} at {server.base_url} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
