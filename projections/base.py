"""A projection: a named fold of events into its own tables, rebuildable from position 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Connection, Table

from events.base import Event
from events.store import StoredEvent

# An unbound method: (projection, connection, event, stored envelope) -> None
Handler = Callable[..., None]


class Projection:
    """Subclasses set ``name`` and ``tables`` and register handlers with ``@handles``.

    A handler receives the connection of the runner's transaction, the decoded event and
    its stored envelope (position, time, actor). Handlers must be deterministic functions
    of the events so that an incremental build equals a rebuild.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # Whether handlers read events' personal (encrypted, events/pii.py) fields. A rebuild
    # decrypts them only for the types some projection that reads them handles; the others
    # see None there. True unless a projection is known to show no personal data.
    personal: ClassVar[bool] = True
    _handlers: ClassVar[dict[type[Event], Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attr in vars(cls).values():
            for event_type in getattr(attr, "_lector_handles", ()):
                cls._handlers[event_type] = attr

    @property
    def handled_types(self) -> frozenset[str]:
        """Stable type names of the events this projection folds."""
        return frozenset(t.type_name for t in self._handlers)

    def apply(self, conn: Connection, stored: StoredEvent) -> None:
        """Fold one event; events of types we do not handle are ignored."""
        handler = self._handlers.get(type(stored.event))
        if handler is not None:
            handler(self, conn, stored.event, stored)

    def after_create(self, conn: Connection, built: dict[str, str]) -> None:
        """Database objects a Table cannot describe (a generated column, an index of a
        special kind), added to a rebuild's new tables; ``built`` maps live -> new names."""

    def after_fold(self, conn: Connection, built: dict[str, str]) -> None:
        """Indexes a Table cannot describe (GIN, ...) on a rebuild's new tables, made once
        the bulk fold is done: one index build instead of an update per row folded."""

    def after_swap(self, conn: Connection) -> None:
        """Re-attach what dropping the old live tables took with them (e.g. triggers), inside
        the swap's transaction."""

    def reset(self, conn: Connection) -> None:
        """Empty every table of this projection (children first)."""
        for table in reversed(self.tables):
            conn.execute(table.delete())


def handles(*event_types: type[Event]) -> Callable[[Any], Any]:
    """Mark a method as the handler of the given event types."""

    def mark(fn: Any) -> Any:
        fn._lector_handles = (*getattr(fn, "_lector_handles", ()), *event_types)
        return fn

    return mark
