"""The paper's classifier (Sec. 5.1) in torch and its inner loop (Alg. 1 lines 8-12).

Net: n -> 256 -> ReLU -> 128 -> ReLU -> 128 (the extra linear layer) -> ReLU -> 1, output z_w(x).
The paper's two-way softmax over (z, 1 - z) (Def. 1) gives p(minority) = e^z / (e^z + e^(1-z))
= sigmoid(2z - 1), so the loss is binary cross entropy on the logit 2z - 1 and a point is classed
minority iff z > 1/2 (Def. 2). Adam, learning rate 1e-4, batch 32.

Stopping (Alg. 1 line 9): the full-batch gradient norm ||grad L|| <= ``grad_tol`` (checked every
``check_every`` epochs) or ``max_epochs`` epochs or ``max_updates`` optimiser steps, whichever comes
first. The paper gives no caps; ours keep one fit at a few seconds on one CPU core.

Warm start (an option of MOODS, not the paper's): a fit may begin from given weights instead of
the seeded initialisation, e.g. from the model of the accepted state S_{k-1}, whose training set
differs from S_k by one step. Such a fit first checks the gradient norm on its data and stops at
once when it is already within ``grad_tol`` (so on unchanged data it returns the given model), and
is capped at ``warm_max_updates`` optimiser steps; the optimiser's moments start fresh.

A fit touches no process-wide torch state that outlives it: the weights and the batch order come
from generators local to the fit, and the thread count is restored when it ends (:func:`train_mlp`),
since Ray runs many fits in one reused worker process.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from autogets_ray.errors import UserInputError

if TYPE_CHECKING:
    import torch
    from torch import nn

# torch is imported inside the functions that use it, so importing this module (for DEVICES and
# MLPConfig, e.g. by the command line) stays light.


#: "cuda" trains on the GPU that Ray (or CUDA_VISIBLE_DEVICES) gives the process, "auto" on a GPU
#: when torch sees one. GPU results match CPU ones only to floating-point rounding.
DEVICES = ("cpu", "cuda", "auto")


def resolve_device(device: str) -> str:
    """The torch device a fit will use; asking for "cuda" where torch sees none is an error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UserInputError(
            "MLP device 'cuda' was asked for, but torch sees no GPU here "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); "
            "use 'cpu' or 'auto'"
        )
    return device


@dataclass(frozen=True)
class MLPConfig:
    """Inner-loop settings; the defaults are the paper's where it gives them."""

    hidden: tuple[int, ...] = (256, 128, 128)
    lr: float = 1e-4
    batch_size: int = 32
    max_epochs: int = 400
    max_updates: int = 4000
    grad_tol: float = 1e-3
    check_every: int = 5
    threads: int = 1
    device: str = "cpu"
    warm_max_updates: int = 1000

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_epochs", "max_updates", "check_every", "threads", "warm_max_updates"):
            if getattr(self, name) < 1:
                raise UserInputError(f"MLP {name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.grad_tol < 0:
            raise UserInputError("MLP lr must be > 0 and grad_tol >= 0")
        if self.device not in DEVICES:
            raise UserInputError(f"MLP device must be one of {', '.join(DEVICES)}, got {self.device!r}")

    def on_device(self, device: str) -> MLPConfig:
        return replace(self, device=device)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _init_linear(layer: nn.Linear, generator: torch.Generator) -> None:
    """``nn.Linear``'s default initialisation (weight, then bias), drawn from ``generator``."""
    from torch import nn

    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
    bound = 1 / math.sqrt(layer.in_features) if layer.in_features > 0 else 0.0
    nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def build_net(
    n_features: int, hidden: tuple[int, ...], generator: torch.Generator | None = None
) -> nn.Sequential:
    """The net of the module docstring on the CPU, initialised from ``generator`` (a fresh unseeded
    one when None); torch's global generator is neither read nor advanced."""
    import torch
    from torch import nn
    from torch.nn.utils import skip_init

    generator = generator if generator is not None else torch.Generator()
    layers: list[nn.Module] = []
    width = n_features
    for size in [*hidden, 1]:
        layer = skip_init(nn.Linear, width, size)  # allocated, not initialised from the global generator
        _init_linear(layer, generator)
        layers += [layer, nn.ReLU()]
        width = size
    return nn.Sequential(*layers[:-1])  # no ReLU after the output layer


@dataclass
class FitInfo:
    epochs: int
    updates: int
    grad_norm: float
    seconds: float
    device: str = "cpu"


class MLPClassifier:
    """A fitted z_w*: :meth:`z` gives the raw outputs, :meth:`predict` 1 (minority) iff z > 1/2."""

    def __init__(self, net: nn.Sequential, info: FitInfo) -> None:
        self.net = net
        self.info = info

    def z(self, X: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            out = self.net(torch.as_tensor(np.asarray(X), dtype=torch.float32, device=self.info.device))
        return out.squeeze(1).cpu().numpy().astype(np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.z(X) > 0.5).astype(np.int64)

    def weights(self) -> list[np.ndarray]:
        """The parameters in the net's order (float32 copies), what a warm-started fit begins from."""
        return [p.detach().cpu().numpy().copy() for p in self.net.parameters()]


def _loss(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Def. 1: BCE of sigmoid(2z - 1) against y, averaged over the batch."""
    from torch import nn

    return nn.functional.binary_cross_entropy_with_logits(2 * net(X).squeeze(1) - 1, y)


def _full_grad_norm(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    net.zero_grad()
    _loss(net, X, y).backward()
    total = sum(float(p.grad.pow(2).sum()) for p in net.parameters() if p.grad is not None)
    net.zero_grad()
    return math.sqrt(total)


def _adam(net: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Adam (paper Sec. 5.1); the fused kernel is ~1.5x faster per step on CPU when available."""
    import torch

    try:
        return torch.optim.Adam(net.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(net.parameters(), lr=lr)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` intra-op threads, then restore the count the process had.

    The count is process-wide, and Ray reuses worker processes for many tasks and trials: set for
    good, a fit's count would leak into whatever the worker runs next. It is still set for the fit
    because a fixed count keeps the fit reproducible (a parallel reduction's order, and so its
    rounding, depends on the number of threads). Not for concurrent fits in threads of one process.
    """
    import torch

    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def train_mlp(
    X: np.ndarray,
    y: np.ndarray,
    config: MLPConfig,
    seed: int,
    init: list[np.ndarray] | None = None,
) -> MLPClassifier:
    """Inner loop of Alg. 1: minimise L(S; z_w) from a seeded initialisation (same seed, same fit),
    or, warm-started, from the weights ``init`` (module docstring)."""
    with torch_threads(config.threads):
        return _train(X, y, config, int(seed), init)


def _load_weights(net: nn.Module, init: list[np.ndarray]) -> None:
    import torch

    params = list(net.parameters())
    shapes = [tuple(p.shape) for p in params]
    if [tuple(np.shape(w)) for w in init] != shapes:
        raise ValueError(f"warm-start weights have shapes {[np.shape(w) for w in init]}, the net {shapes}")
    with torch.no_grad():
        for param, value in zip(params, init):
            param.copy_(torch.as_tensor(np.asarray(value), dtype=param.dtype))


def _train(
    X: np.ndarray, y: np.ndarray, config: MLPConfig, seed: int, init: list[np.ndarray] | None
) -> MLPClassifier:
    import time

    import torch

    start = time.perf_counter()
    device = resolve_device(config.device)
    # Two CPU generators local to this fit, both seeded with ``seed``: one for the initial weights,
    # one for the batch order. Separate streams keep the batch order independent of the net's size
    # and reproduce the results recorded when the weights came from torch's global generator.
    init_generator = torch.Generator().manual_seed(seed)
    shuffle_generator = torch.Generator().manual_seed(seed)
    net = build_net(X.shape[1], config.hidden, init_generator)
    if init is not None:
        _load_weights(net, init)
    net = net.to(device)
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device)
    optimiser = _adam(net, config.lr)
    n = len(Xt)
    updates, epoch, grad_norm = 0, 0, float("nan")
    max_updates = config.max_updates
    if init is not None:
        max_updates = min(max_updates, config.warm_max_updates)
        grad_norm = _full_grad_norm(net, Xt, yt)
        if grad_norm <= config.grad_tol:
            max_updates = 0  # already converged on this data: the given model is the fit
    while epoch < config.max_epochs and updates < max_updates:
        order = torch.randperm(n, generator=shuffle_generator).to(device)
        for begin in range(0, n, config.batch_size):
            batch = order[begin : begin + config.batch_size]
            optimiser.zero_grad()
            _loss(net, Xt[batch], yt[batch]).backward()
            optimiser.step()
            updates += 1
            if updates >= max_updates:
                break
        epoch += 1
        if epoch % config.check_every == 0:
            grad_norm = _full_grad_norm(net, Xt, yt)
            if grad_norm <= config.grad_tol:
                break
    net.eval()
    return MLPClassifier(
        net,
        FitInfo(
            epochs=epoch,
            updates=updates,
            grad_norm=grad_norm,
            seconds=time.perf_counter() - start,
            device=device,
        ),
    )
