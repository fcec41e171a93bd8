"""Event <-> JSON dict conversion, driven by the dataclass field types, plus upcasters.

Strict on read: ``to_data`` writes every field, so data of the current version carries
exactly the class's fields. ``from_data`` refuses anything else (``EventShapeError``), even
a missing field that has a default: an old shape is the business of an upcaster registered
for that type and version, never of a silent default or a silently dropped key.
"""

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


class EventShapeError(ValueError):
    """Stored data does not have the fields of its event type and version."""

    def __init__(
        self, type_name: str, version: int, missing: frozenset[str], unknown: frozenset[str],
        stored_version: int | None = None,
    ) -> None:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(sorted(missing))}")
        if unknown:
            parts.append(f"unknown {', '.join(sorted(unknown))}")
        stored = "" if stored_version in (None, version) else f" (stored as v{stored_version})"
        super().__init__(f"{type_name} v{version}{stored}: {'; '.join(parts)}")
        self.type_name, self.version, self.stored_version = type_name, version, stored_version
        self.missing, self.unknown = missing, unknown


def upcast(type_name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data up to the current schema version; stored rows are never rewritten."""
    target = event_class(type_name).schema_version
    if version > target:
        # Written by newer code (a rolled-back deploy?): reading it as v{target} would drop
        # or misread what the newer shape added.
        raise LookupError(f"{type_name} v{version} is newer than this code knows (v{target})")
    while version < target:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            raise LookupError(f"no upcaster for {type_name} v{version}")
        data = step(dict(data))
        version += 1
    return data


def to_data(event: Event) -> dict[str, Any]:
    """Serialise an event's fields to JSON-safe values."""
    return {name: _dump(getattr(event, name)) for name in _field_names(type(event))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def from_data(
    type_name: str, data: dict[str, Any], *, stored_version: int | None = None
) -> Event:
    """Build an event of the registered type from JSON-safe (already upcast) data.

    The data must hold exactly the class's fields; ``stored_version`` only names the
    version on disk in the error.
    """
    cls = event_class(type_name)
    names, loaders = _loaders(cls)
    if len(data) != len(names) or not names.issuperset(data):  # == keys, but cheaper
        raise EventShapeError(type_name, cls.schema_version, names - data.keys(),
                              frozenset(data.keys() - names), stored_version)
    return cls(**{name: convert(data[name]) for name, convert in loaders})


def decode(type_name: str, stored_version: int, data: dict[str, Any]) -> Event:
    """Upcast stored (decrypted) data to the current version and build the event."""
    current = upcast(type_name, stored_version, data)
    return from_data(type_name, current, stored_version=stored_version)


Loaders = tuple[frozenset[str], tuple[tuple[str, Callable[[Any], Any]], ...]]
_LOADERS: dict[type, Loaders] = {}


def _loaders(cls: type) -> Loaders:
    """The field names and one converter per field, worked out once per class."""
    found = _LOADERS.get(cls)
    if found is None:
        hints = _hints(cls)
        fields = dataclasses.fields(cls)
        found = (frozenset(f.name for f in fields),
                 tuple((f.name, _converter(hints[f.name])) for f in fields))
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


# Values that are JSON as they are (exact types: an enum that is also a str is not one).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _dump(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
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
