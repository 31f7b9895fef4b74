"""autogets-ray: AutoGeTS and MOODS synthetic-data search on Ray Tune."""

from __future__ import annotations

__version__ = "0.1.0"
