"""Typed option models: strict field types, and readable messages for pydantic's errors.

Config sections and command options are pydantic models (or pydantic dataclasses) that forbid
unknown keys. Their fields use the strict types below, so ``"abc"`` or ``"3"`` never silently
becomes a number, while a YAML ``2`` is a fine value for a float. :func:`error_lines` turns a
``ValidationError`` into one line per wrong value: its key path, the value given and what is
allowed (the field's ``description``).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Strict, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo

from autogets_ray.errors import UserInputError

#: An integer; refuses strings, floats and booleans.
Int = Annotated[int, Strict()]
#: A number; an integer is accepted, a string or a boolean is not.
Float = Annotated[float, Strict()]
#: A string; refuses numbers (quote a numeric name in YAML).
Str = Annotated[str, Strict()]
#: ``true`` or ``false``.
Bool = Annotated[bool, Strict()]

#: Every option model forbids keys it does not know.
OPTIONS = ConfigDict(extra="forbid")

T = TypeVar("T")

_NOT_A = {
    "float_type": "is not a number",
    "float_parsing": "is not a number",
    "finite_number": "is not a finite number",
    "int_type": "is not an integer",
    "int_parsing": "is not an integer",
    "int_from_float": "is not an integer",
    "string_type": "is not a string",
    "bool_type": "is not true or false",
    "bool_parsing": "is not true or false",
    "list_type": "is not a list",
    "tuple_type": "is not a list",
    "set_type": "is not a list",
    "dict_type": "is not a mapping",
    "model_type": "is not a section of KEY: VALUE pairs",
    "model_attributes_type": "is not a section of KEY: VALUE pairs",
    "dataclass_type": "is not a section of KEY: VALUE pairs",
    "dataclass_exact_type": "is not a section of KEY: VALUE pairs",
}
_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}
_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def one_of(name: Any, choices: Any, kind: str) -> Any:
    """``name`` if it is among ``choices``; a field validator's ValueError naming the choices if not."""
    if name not in choices:
        raise ValueError(f"unknown {kind} {name!r}; choose from {', '.join(map(str, choices))}")
    return name


def one_or_many(value: Any) -> Any:
    """A single string or number stands for a one-element list (``strategies: sw`` is ``[sw]``)."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [value]
    return value


def _fields(cls: Any) -> dict[str, FieldInfo] | None:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return cls.model_fields
    fields = getattr(cls, "__pydantic_fields__", None)
    return fields if isinstance(fields, dict) else None


def _section_class(annotation: Any) -> Any:
    """The model or pydantic dataclass inside an annotation (``X``, ``X | None``), if any."""
    if _fields(annotation) is not None:
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _section_class(arg)
            if found is not None:
                return found
    return None


def _lookup(root: Any, loc: tuple[Any, ...]) -> tuple[Any, FieldInfo | None]:
    """The class holding the last key of ``loc`` and that key's field (None when unknown)."""
    cls, info = root, None
    for part in loc:
        if isinstance(part, int):  # a list item: described by its list's field
            continue
        fields = _fields(cls)
        if fields is None or part not in fields:
            return cls, None
        info = fields[part]
        cls = _section_class(info.annotation) or cls
    return cls, info


def _owner(root: Any, loc: tuple[Any, ...]) -> Any:
    """The section class whose keys ``loc[-1]`` is one of."""
    cls = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = _fields(cls)
        if fields is None or part not in fields:
            return None
        cls = _section_class(fields[part].annotation)
    return cls


def dotted(loc: tuple[Any, ...]) -> str:
    """``("strategies", 1)`` -> ``strategies[1]``; ``("resources", "cpu")`` -> ``resources.cpu``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it (repr), cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _problem(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _NOT_A:
        return _NOT_A[kind]
    if kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        return f"must be {sign} {_number(ctx.get(key))}"
    if kind == "literal_error":
        return f"is not one of {ctx.get('expected')}"
    if kind == "too_short":
        return "is empty" if ctx.get("min_length") == 1 else f"has fewer than {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"has more than {ctx.get('max_length')} items"
    message = str(error.get("msg", kind))
    return message[:1].lower() + message[1:]


def describe_error(error: Mapping[str, Any], root: Any = None, label: Callable[[str], str] = str) -> str:
    """One line for one pydantic error: ``<key>: <value> <problem> (<what is allowed>)``."""
    loc = tuple(error.get("loc") or ())
    kind = error["type"]
    if kind in ("value_error", "assertion_error"):
        cause = (error.get("ctx") or {}).get("error")
        key = dotted(loc)
        if isinstance(cause, UserInputError) and cause.key:
            key = f"{key}.{cause.key}" if key else cause.key
            text = cause.reason or str(cause)
        else:
            text = str(cause) if cause is not None else str(error.get("msg", ""))
        return f"{label(key)}: {text}" if key else text
    if kind in _UNKNOWN:
        fields = _fields(_owner(root, loc)) if root is not None else None
        valid = f" (valid keys: {', '.join(fields)})" if fields else ""
        return f"{label(dotted(loc))}: unknown key{valid}"
    _, info = _lookup(root, loc) if root is not None else (None, None)
    allowed = f" ({info.description})" if info is not None and info.description else ""
    if kind == "missing":
        return f"{label(dotted(loc))}: missing{allowed}"
    return f"{label(dotted(loc))}: {show(error.get('input'))} {_problem(error)}{allowed}"


def error_lines(exc: ValidationError, root: Any = None, label: Callable[[str], str] = str) -> list[str]:
    """Every error of ``exc``, one line each, in the order pydantic found them."""
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        line = describe_error(error, root, label)
        if line not in lines:
            lines.append(line)
    return lines


def user_input_error(
    exc: ValidationError, root: Any = None, where: str = "", label: Callable[[str], str] = str
) -> UserInputError:
    """A :class:`UserInputError` whose message has one line per error, each prefixed ``where: ``."""
    prefix = f"{where}: " if where else ""
    return UserInputError("\n".join(prefix + line for line in error_lines(exc, root, label)))


def validate(cls: type[T], data: Any, where: str = "", label: Callable[[str], str] = str) -> T:
    """``cls.model_validate(data)`` with pydantic's errors as one readable :class:`UserInputError`."""
    try:
        return cls.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise user_input_error(exc, cls, where, label) from None


class Options(BaseModel):
    """A model of options that refuses unknown keys; :func:`validate` (or :meth:`build`) turns its
    errors into one :class:`UserInputError`, where calling the class raises pydantic's
    ``ValidationError`` (also a ``ValueError``)."""

    model_config = OPTIONS

    @classmethod
    def build(cls: type[T], **values: Any) -> T:
        """``cls(**values)``, a wrong value being a :class:`UserInputError` naming its key."""
        return validate(cls, values)


def _in_section(section: str, key: str) -> str:
    return f"{section}{key}" if not key or key.startswith("[") else f"{section}.{key}"


def options_dataclass(section: str) -> Callable[[type[T]], type[T]]:
    """A pydantic dataclass that forbids unknown keys and raises :class:`UserInputError`.

    It stays a real dataclass (``dataclasses.asdict``/``replace``, positional arguments), so code
    that used the plain dataclass keeps working; errors of a direct call name ``<section>.<key>``.
    Nested in a model, it is validated as part of that model.
    """

    def decorate(cls: type[T]) -> type[T]:
        validated = pydantic_dataclass(cls, config=OPTIONS)
        init = validated.__init__

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            try:
                init(self, *args, **kwargs)
            except ValidationError as exc:
                raise user_input_error(
                    exc, type(self), label=functools.partial(_in_section, section)
                ) from None

        validated.__init__ = __init__  # type: ignore[method-assign]
        return validated

    return decorate
