"""The paper's classifier (Sec. 5.1) in torch and its inner loop (Alg. 1 lines 8-12).

Net: n -> 256 -> ReLU -> 128 -> ReLU -> 128 (the extra linear layer) -> ReLU -> 1, output z_w(x).
The paper's two-way softmax over (z, 1 - z) (Def. 1) gives p(minority) = e^z / (e^z + e^(1-z))
= sigmoid(2z - 1), so the loss is binary cross entropy on the logit 2z - 1 and a point is classed
minority iff z > 1/2 (Def. 2). Adam, learning rate 1e-4, batch 32.

Stopping (Alg. 1 line 9): the full-batch gradient norm ||grad L|| <= ``grad_tol`` (checked every
``check_every`` epochs) or ``max_epochs`` epochs or ``max_updates`` optimiser steps, whichever comes
first. The paper gives no caps; ours keep one fit at a few seconds on one CPU core.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import nn


#: "cuda" trains on the GPU that Ray (or CUDA_VISIBLE_DEVICES) gives the process, "auto" on a GPU
#: when torch sees one. GPU results match CPU ones only to floating-point rounding.
DEVICES = ("cpu", "cuda", "auto")


def resolve_device(device: str) -> str:
    """The torch device a fit will use; asking for "cuda" where torch sees none is an error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("MLP device 'cuda' was asked for, but torch sees no GPU here "
                         f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); use 'cpu' or 'auto'")
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

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_epochs", "max_updates", "check_every", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"MLP {name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.grad_tol < 0:
            raise ValueError("MLP lr must be > 0 and grad_tol >= 0")
        if self.device not in DEVICES:
            raise ValueError(f"MLP device must be one of {', '.join(DEVICES)}, got {self.device!r}")

    def on_device(self, device: str) -> MLPConfig:
        return replace(self, device=device)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def build_net(n_features: int, hidden: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


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
        with torch.no_grad():
            out = self.net(torch.as_tensor(np.asarray(X), dtype=torch.float32, device=self.info.device))
        return out.squeeze(1).cpu().numpy().astype(np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.z(X) > 0.5).astype(np.int64)


def _loss(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Def. 1: BCE of sigmoid(2z - 1) against y, averaged over the batch."""
    return nn.functional.binary_cross_entropy_with_logits(2 * net(X).squeeze(1) - 1, y)


def _full_grad_norm(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    net.zero_grad()
    _loss(net, X, y).backward()
    total = sum(float(p.grad.pow(2).sum()) for p in net.parameters() if p.grad is not None)
    net.zero_grad()
    return math.sqrt(total)


def _adam(net: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Adam (paper Sec. 5.1); the fused kernel is ~1.5x faster per step on CPU when available."""
    try:
        return torch.optim.Adam(net.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(net.parameters(), lr=lr)


def train_mlp(X: np.ndarray, y: np.ndarray, config: MLPConfig, seed: int) -> MLPClassifier:
    """Inner loop of Alg. 1: minimise L(S; z_w) from a seeded initialisation."""
    import time

    start = time.perf_counter()
    device = resolve_device(config.device)
    torch.set_num_threads(config.threads)
    generator = torch.Generator().manual_seed(int(seed))
    torch.manual_seed(int(seed))  # nn.Linear initialises from the default generator, on the CPU
    net = build_net(X.shape[1], config.hidden).to(device)
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device)
    optimiser = _adam(net, config.lr)
    n = len(Xt)
    updates, epoch, grad_norm = 0, 0, float("nan")
    while epoch < config.max_epochs and updates < config.max_updates:
        order = torch.randperm(n, generator=generator).to(device)
        for begin in range(0, n, config.batch_size):
            batch = order[begin:begin + config.batch_size]
            optimiser.zero_grad()
            _loss(net, Xt[batch], yt[batch]).backward()
            optimiser.step()
            updates += 1
            if updates >= config.max_updates:
                break
        epoch += 1
        if epoch % config.check_every == 0:
            grad_norm = _full_grad_norm(net, Xt, yt)
            if grad_norm <= config.grad_tol:
                break
    net.eval()
    return MLPClassifier(net, FitInfo(epochs=epoch, updates=updates, grad_norm=grad_norm,
                                      seconds=time.perf_counter() - start, device=device))
