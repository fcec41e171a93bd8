"""Read model: match keys (001, 035, ISBN) -> title, so a re-imported record finds its title."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, Connection, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.catalogue import TitleCatalogued, TitleUpdated
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

MAX_KEY = 255

title_keys = Table(
    "rm_title_keys",
    metadata,
    Column("match_key", String(MAX_KEY), primary_key=True),
    Column("title_id", String(64), nullable=False, index=True),
)


def keys_of(source_keys: Iterable[str] | None, isbn: str | None) -> list[str]:
    """The keys a title answers to: its import keys plus ``isbn:<ISBN-13>``."""
    keys = [k for k in (source_keys or ()) if k and len(k) <= MAX_KEY]
    if isbn:
        keys.append(f"isbn:{isbn}")
    return list(dict.fromkeys(keys))


class TitleKeys(Projection):
    name = "title_keys"
    tables = (title_keys,)

    @handles(TitleCatalogued)
    def catalogued(self, conn: Connection, e: TitleCatalogued, s: StoredEvent) -> None:
        _claim(conn, e.title_id, keys_of(e.source_keys, e.isbn))

    @handles(TitleUpdated)
    def updated(self, conn: Connection, e: TitleUpdated, s: StoredEvent) -> None:
        _claim(conn, e.title_id, keys_of(e.changes.get("source_keys"), e.changes.get("isbn")))


def _claim(conn: Connection, title_id: str, keys: list[str]) -> None:
    # The first title to carry a key keeps it: a key never silently moves to another title.
    if not keys:
        return
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [{"match_key": k, "title_id": title_id} for k in keys]
    conn.execute(dialect_insert(title_keys).values(rows).on_conflict_do_nothing())


def find_title(conn: Connection, keys: Iterable[str]) -> str | None:
    """The title of the first key (in the given order) that is known, or None."""
    wanted = [k for k in keys if len(k) <= MAX_KEY]
    if not wanted:
        return None
    found = dict(conn.execute(
        select(title_keys.c.match_key, title_keys.c.title_id)
        .where(title_keys.c.match_key.in_(wanted))
    ).all())
    return next((found[k] for k in wanted if k in found), None)
