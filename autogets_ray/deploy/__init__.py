"""Deploy the result of an experiment: export the chosen model with its training set and model card
(:mod:`.export`), load it without Ray (:mod:`.bundle`) and classify new tickets (:mod:`.predict`).

``load_model`` is imported lazily so that ``import autogets_ray.deploy`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["export_model", "load_model"]


def __getattr__(name: str) -> Any:
    if name == "load_model":
        from autogets_ray.deploy.bundle import load_model

        return load_model
    if name == "export_model":
        from autogets_ray.deploy.export import export_model

        return export_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
