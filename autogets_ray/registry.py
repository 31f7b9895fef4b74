"""A tiny name -> factory registry, one per extension point (models, datasets, backends...)."""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

from autogets_ray.errors import UserInputError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories; CLI choices come from :meth:`names`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}
        self._help: dict[str, str] = {}

    def register(self, name: str, help: str = "") -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator: ``@MODELS.register("linear")`` on a factory."""

        def decorate(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._factories[name] = factory
            doc_lines = (factory.__doc__ or "").strip().splitlines()
            self._help[name] = help or (doc_lines[0] if doc_lines else "")
            return factory

        return decorate

    def unregister(self, name: str) -> None:
        """Remove ``name`` (e.g. a plugin or a test's temporary entry); unknown names are ignored."""
        self._factories.pop(name, None)
        self._help.pop(name, None)

    def get(self, name: str) -> Callable[..., T]:
        """The factory of ``name``; an unknown name is a :class:`UserInputError` listing the known ones."""
        try:
            return self._factories[name]
        except KeyError:
            raise UserInputError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}"
            ) from None

    def create(self, name: str, *args: object, **kwargs: object) -> T:
        return self.get(name)(*args, **kwargs)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def describe(self, name: str) -> str:
        return self._help.get(name, "")

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
