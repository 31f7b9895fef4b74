from __future__ import annotations

import pytest

from autogets_ray.registry import Registry


def test_register_create_describe_and_unregister():
    things: Registry[int] = Registry("thing")

    @things.register("two", help="the number two")
    def two() -> int:
        return 2

    assert things.create("two") == 2 and things.describe("two") == "the number two"
    with pytest.raises(ValueError, match="thing 'two' is already registered"):
        things.register("two")(two)
    with pytest.raises(ValueError, match="unknown thing 'three'; choose one of: two"):
        things.get("three")
    things.unregister("two")
    assert "two" not in things and things.names() == []
