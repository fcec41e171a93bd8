"""Event <-> JSON dict conversion, driven by the dataclass field types, plus upcasters."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any, Union

from events.base import Event, event_class

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function turning the data of ``type_name`` vN into vN+1."""

    def register(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(type_name, from_version)] = fn
        return fn

    return register


def upcast(type_name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data up to the current schema version; stored rows are never rewritten."""
    target = event_class(type_name).schema_version
    while version < target:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            raise LookupError(f"no upcaster for {type_name} v{version}")
        data = step(dict(data))
        version += 1
    return data


def to_data(event: Event) -> dict[str, Any]:
    """Serialise an event's fields to JSON-safe values."""
    return {f.name: _dump(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_data(type_name: str, data: dict[str, Any]) -> Event:
    """Build an event of the registered type from JSON-safe (already upcast) data."""
    cls = event_class(type_name)
    kwargs = {name: convert(data[name]) for name, convert in _loaders(cls) if name in data}
    return cls(**kwargs)


_LOADERS: dict[type, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _loaders(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """One converter per field, worked out once per class from its type hints."""
    found = _LOADERS.get(cls)
    if found is None:
        hints = _hints(cls)
        found = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))
        _LOADERS[cls] = found
    return found


def _identity(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Callable[[Any], Any]:
    """A fast function turning JSON data into the hinted type (None passes through)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else _identity
    if hint is datetime:
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if hint is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda v: None if v is None else hint(v)
    if origin is tuple:
        args = typing.get_args(hint)
        inner = _converter(args[0]) if args else _identity
        if inner is _identity:
            return lambda v: None if v is None else tuple(v)
        return lambda v: None if v is None else tuple(inner(x) for x in v)
    if origin is frozenset:
        (arg,) = typing.get_args(hint)
        item = _converter(arg)
        return lambda v: None if v is None else frozenset(item(x) for x in v)
    return _identity


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dump(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [_dump(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value
