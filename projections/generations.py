"""Where a projection's next generation lives while it is built, and how it takes over.

A rebuild folds the log into copies of the projection's tables named ``<table>__g<N>``,
created from the same definitions (so a changed read model needs a rebuild, not a
migration), while the live tables keep their names and keep answering. The swap drops the
live tables and renames the copies into place inside one transaction: DDL is transactional
on PostgreSQL and SQLite, so a reader sees the old generation or the new one, never a mix.
Index and constraint names carry the generation (``ix_rm_titles__g7_isbn``), so a build
never collides with the generation it replaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Index, MetaData, Table, event, inspect, select, text
from sqlalchemy.schema import CreateTable

from projections.base import Projection
from projections.schema import generations


def build_tables(projection: Projection, generation: int) -> tuple[Table, ...]:
    """The projection's tables as generation ``generation`` names them (not yet created)."""
    meta = MetaData()
    return tuple(t.to_metadata(meta, name=f"{t.name}__g{generation}") for t in projection.tables)


def create_keyed(conn: Connection, table: Table) -> list[Index]:
    """Create ``table`` with its keys, constraints and unique indexes (what a fold's
    ``ON CONFLICT`` and duplicate checks rely on), but not its other indexes: those are
    returned, for the caller to make once the rows are in."""
    conn.execute(CreateTable(table))
    later = []
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        if index.unique:
            index.create(conn)
        else:
            later.append(index)
    return later


def leftover_tables(conn: Connection, projection: Projection) -> list[str]:
    """Build tables of this projection that some earlier, unfinished rebuild left behind."""
    prefixes = [f"{t.name}__g" for t in projection.tables]
    return [name for name in inspect(conn).get_table_names()
            if any(name.startswith(p) and name[len(p):].isdigit() for p in prefixes)]


def drop_table(conn: Connection, name: str) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)}"))


def generation_row(conn: Connection, name: str) -> tuple[int, int | None] | None:
    """(live generation, generation being built or None), or None before the first rebuild
    (the live tables are then the ones the migrations made: generation 0)."""
    row = conn.execute(select(generations.c.generation, generations.c.building)
                       .where(generations.c.name == name)).first()
    return None if row is None else (int(row.generation), row.building)


@contextmanager
def redirected(conn: Connection, tables: dict[str, str]) -> Iterator[Connection]:
    """While inside, statements on ``conn`` that name a live table use its build copy instead.

    Handlers are written against the live tables (module-level ``Table`` objects); rather
    than thread a table set through every one of them, the SQL they compile is pointed at
    the build copies on this one connection only. The live names are unique identifiers
    (``rm_...``) that never occur inside the SQL text otherwise: values travel as parameters.
    """
    pattern = re.compile(r"(?<![\w$])(" + "|".join(map(re.escape, tables)) + r")(?![\w$])")

    def rewrite(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _many: bool) -> tuple[str, Any]:
        return pattern.sub(lambda m: tables[m.group(1)], statement), parameters

    event.listen(conn, "before_cursor_execute", rewrite, retval=True)
    try:
        yield conn
    finally:
        event.remove(conn, "before_cursor_execute", rewrite)


def swap_in(conn: Connection, projection: Projection, built: tuple[Table, ...]) -> None:
    """Replace the live tables by the built ones, in the caller's transaction."""
    quote = conn.dialect.identifier_preparer.quote
    for live, new in zip(projection.tables, built, strict=True):
        drop_table(conn, live.name)
        conn.execute(text(f"ALTER TABLE {quote(new.name)} RENAME TO {quote(live.name)}"))
