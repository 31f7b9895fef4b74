"""A small imbalanced split of the demo tickets: contexts on it build in well under a second."""

from __future__ import annotations

import pytest

from autogets_ray.data.demo import generate_demo_tickets
from autogets_ray.data.splits import Split, paper_split


@pytest.fixture(scope="session")
def small_split() -> Split:
    """About 460 rows in 7 classes, 8 to 125 training rows each (the two smallest have 2 validation rows)."""
    return paper_split(generate_demo_tickets(seed=0, scale=0.15), seed=1, dataset="demo-tickets-small")
