"""autogets-ray: AutoGeTS and MOODS synthetic-data search on Ray Tune."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``autogets_ray.load_model(MODEL_DIR)``, imported on first use (importing the package stays light)."""
    if name == "load_model":
        from autogets_ray.deploy.bundle import load_model

        return load_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
