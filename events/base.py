"""Event base class: frozen dataclasses with a stable type name and schema version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

_REGISTRY: dict[str, type[Event]] = {}


@dataclass(frozen=True)
class Event:
    """A fact that happened. Subclasses declare their stable name and schema version.

    ``pii_fields`` are encrypted at rest under the key of the subject named by
    ``pii_subject`` (a field holding the reader id), so erasing that key erases the person.
    """

    type_name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1
    pii_fields: ClassVar[frozenset[str]] = frozenset()
    pii_subject: ClassVar[str | None] = None

    def __init_subclass__(cls, /, type_name: str = "", version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not type_name:
            raise TypeError(f"{cls.__name__} must declare type_name=")
        if type_name in _REGISTRY and _REGISTRY[type_name].__qualname__ != cls.__qualname__:
            raise TypeError(f"event type {type_name!r} registered twice")
        cls.type_name = type_name
        cls.schema_version = version
        _REGISTRY[type_name] = cls


def event_class(type_name: str) -> type[Event]:
    """Return the class registered under a stable type name."""
    try:
        return _REGISTRY[type_name]
    except KeyError:
        raise UnknownEventType(type_name) from None


def registered_types() -> dict[str, type[Event]]:
    """All registered event classes by type name."""
    return dict(_REGISTRY)


class UnknownEventType(LookupError):
    """A stored event names a type this code does not know."""
