"""Ray resources of one trial, the same for AutoGeTS retrains and MOODS steps."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from autogets_ray.errors import UserInputError
from autogets_ray.typed import Float, options_dataclass

logger = logging.getLogger(__name__)


@options_dataclass("resources")
class ResourcesConfig:
    """CPUs and GPUs per trial; a fractional ``gpu`` shares one GPU between trials (CatBoost's
    ``gpu_ram_part``, or the MOODS MLP on CUDA). Validated when built: a wrong value is a
    :class:`~autogets_ray.errors.UserInputError` naming ``resources.cpu`` or ``resources.gpu``."""

    cpu: Annotated[Float, Field(gt=0, description="CPUs per trial, a number > 0")] = 1.0
    gpu: Annotated[
        Float, Field(ge=0, description="GPUs per trial, a number >= 0; 0.25 shares a GPU by four")
    ] = 0.0

    def as_ray(self) -> dict[str, float]:
        """The resource request for ``tune.with_resources`` (no GPU key when none is asked for)."""
        return {"cpu": self.cpu, **({"gpu": self.gpu} if self.gpu > 0 else {})}

    def check_grantable(
        self, cluster: Mapping[str, float], what: str = "resources", strict: bool = True
    ) -> None:
        """A request no node can grant would leave every trial pending forever: say so up front.

        ``cluster`` is ``ray.cluster_resources()`` (totals; per-node limits show up as waiting).
        ``strict=False`` (a cluster we joined, whose autoscaler may still add nodes) only warns."""
        for key, asked in (("CPU", self.cpu), ("GPU", self.gpu)):
            have = float(cluster.get(key, 0.0))
            if asked > have:
                hint = f"ask for at most {have:g}" + (" (train on CPUs)" if key == "GPU" and not have else "")
                message = f"{what}: each trial asks for {asked:g} {key}, but the Ray cluster has {have:g} {key} in all"
                if strict:
                    raise UserInputError(f"{message}; {hint}")
                logger.warning("%s now; trials wait until the autoscaler adds nodes (else %s)", message, hint)
