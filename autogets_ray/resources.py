"""Ray resources of one trial, the same for AutoGeTS retrains and MOODS steps."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class ResourcesConfig:
    """CPUs and GPUs per trial; a fractional ``gpu`` shares one GPU between trials (CatBoost's
    ``gpu_ram_part``, or the MOODS MLP on CUDA)."""

    cpu: float = 1.0
    gpu: float = 0.0

    def __post_init__(self) -> None:
        if self.cpu <= 0 or self.gpu < 0:
            raise ValueError(f"resources: cpu must be > 0 and gpu >= 0, got cpu={self.cpu}, gpu={self.gpu}")

    def as_ray(self) -> dict[str, float]:
        """The resource request for ``tune.with_resources`` (no GPU key when none is asked for)."""
        return {"cpu": self.cpu, **({"gpu": self.gpu} if self.gpu > 0 else {})}

    def check_grantable(self, cluster: Mapping[str, float], what: str = "resources", strict: bool = True) -> None:
        """A request no node can grant would leave every trial pending forever: say so up front.

        ``cluster`` is ``ray.cluster_resources()`` (totals; per-node limits show up as waiting).
        ``strict=False`` (a cluster we joined, whose autoscaler may still add nodes) only warns."""
        for key, asked in (("CPU", self.cpu), ("GPU", self.gpu)):
            have = float(cluster.get(key, 0.0))
            if asked > have:
                hint = f"ask for at most {have:g}" + (" (train on CPUs)" if key == "GPU" and not have else "")
                message = f"{what}: each trial asks for {asked:g} {key}, but the Ray cluster has {have:g} {key} in all"
                if strict:
                    raise ValueError(f"{message}; {hint}")
                logger.warning("%s now; trials wait until the autoscaler adds nodes (else %s)", message, hint)
