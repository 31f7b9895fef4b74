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
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn


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

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_epochs", "max_updates", "check_every", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"MLP {name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.grad_tol < 0:
            raise ValueError("MLP lr must be > 0 and grad_tol >= 0")

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


class MLPClassifier:
    """A fitted z_w*: :meth:`z` gives the raw outputs, :meth:`predict` 1 (minority) iff z > 1/2."""

    def __init__(self, net: nn.Sequential, info: FitInfo) -> None:
        self.net = net
        self.info = info

    def z(self, X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = self.net(torch.as_tensor(np.asarray(X), dtype=torch.float32))
        return out.squeeze(1).numpy().astype(np.float64)

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
    torch.set_num_threads(config.threads)
    generator = torch.Generator().manual_seed(int(seed))
    torch.manual_seed(int(seed))  # nn.Linear initialises from the default generator
    net = build_net(X.shape[1], config.hidden)
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float32)
    optimiser = _adam(net, config.lr)
    n = len(Xt)
    updates, epoch, grad_norm = 0, 0, float("nan")
    while epoch < config.max_epochs and updates < config.max_updates:
        order = torch.randperm(n, generator=generator)
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
                                      seconds=time.perf_counter() - start))
