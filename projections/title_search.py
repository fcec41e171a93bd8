"""Read model: one search document per title (weighted columns) plus its facet values.

The columns hold space-separated index terms (projections/search_text.py). The database
indexes them: on PostgreSQL a generated, weighted ``tsvector`` with a GIN index, on SQLite
an FTS5 table kept in step by triggers (made by the migration, and made again for the new
tables of a rebuild by ``after_create``/``after_swap`` below). Title words weigh most,
then names, subjects, and the rest (publisher, ISBN, classes, call numbers, volumes).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    select,
    update,
)

from events.catalogue import CopyAdded, TitleCatalogued, TitleUpdated
from events.codec import to_data
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata
from projections.search_text import document, extend_document, fold, isbn_forms

search = Table(
    "rm_title_search",
    metadata,
    Column("title_id", String(64), primary_key=True),
    Column("title_doc", Text, nullable=False),
    Column("name_doc", Text, nullable=False),
    Column("subject_doc", Text, nullable=False),
    Column("other_doc", Text, nullable=False),
    Column("sort_key", String(500), nullable=False),
    Column("cls", String(8), index=True),  # CLC main class (first letter), the class facet
    Column("format", String(32), index=True),
    Column("language", String(16), index=True),
    Column("year", Integer, index=True),
    Column("data", JSON, nullable=False),  # the title's fields, merged with each update
    Column("copies", JSON, nullable=False),  # [[shelf_mark, enumeration, chronology], ...]
)


def _names(data: dict[str, Any]) -> list[str]:
    """Every name in every script: authors, and h7's names with their 880 originals."""
    out = [str(a) for a in data.get("authors") or []]
    for entry in data.get("names") or []:
        if isinstance(entry, dict):
            out += [str(entry[k]) for k in ("name", "original") if entry.get(k)]
        else:
            out.append(str(entry))
    return out


def _classes(data: dict[str, Any]) -> list[str]:
    out = [str(data.get("clc_class") or "")]
    out += [str(v) for v in (data.get("other_classes") or {}).values()]
    out += [str(c.get("value") or "") for c in data.get("classes") or [] if isinstance(c, dict)]
    return out


def _clc(data: dict[str, Any]) -> str | None:
    mark = data.get("clc_class") or next(
        (c.get("value") for c in data.get("classes") or []
         if isinstance(c, dict) and str(c.get("scheme", "")).lower() == "clc"), None)
    return str(mark)[:1].upper() if mark else None


def copy_parts(copies: list[list[Any]]) -> list[str]:
    """The index texts of copies (shelf marks, enumerations, chronologies), in order."""
    return [str(part) for copy in copies for part in copy if part]


def build_row(title_id: str, data: dict[str, Any], copies: list[list[Any]]) -> dict[str, Any]:
    """The search row of one title from its fields (either shape) and its copies."""
    def texts(*keys: str) -> list[str | None]:
        out: list[str | None] = []
        for key in keys:
            value = data.get(key)
            out += [str(v) for v in value] if isinstance(value, (list, tuple)) else [value]
        return out

    languages = list(data.get("languages") or []) or [data.get("language")]
    title = str(data.get("title") or "")
    return {
        "title_id": title_id,
        "title_doc": document(*texts("title", "title_original", "variant_titles")),
        "name_doc": document(*_names(data)),
        "subject_doc": document(*texts("subjects", "series")),
        "other_doc": document(
            *texts("publisher", "publisher_original"), *isbn_forms(data.get("isbn")),
            *_classes(data), *copy_parts(copies)),
        "sort_key": fold(str(data.get("sort_title") or title))[:500],
        "cls": _clc(data), "format": data.get("format"),
        "language": languages[0] if languages else None,
        "year": data.get("year"), "data": data, "copies": copies,
    }


DOCS = ("title_doc", "name_doc", "subject_doc", "other_doc")
# Title words weigh A, names B, subjects C, the rest D ('simple': the terms are folded already).
PG_DOC = " || ".join(f"setweight(to_tsvector('simple', {col}), '{weight}')"
                     for col, weight in zip(DOCS, "ABCD", strict=True))
_COLS = ", ".join(DOCS)


def sqlite_fts_triggers(table: str = "rm_title_search") -> list[str]:
    """The triggers that keep the external-content FTS5 table in step with ``table``."""
    new = ", ".join(f"new.{c}" for c in DOCS)
    old = ", ".join(f"old.{c}" for c in DOCS)
    return [
        f"CREATE TRIGGER rm_title_fts_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO rm_title_fts(rowid, {_COLS}) VALUES (new.rowid, {new}); END",
        f"CREATE TRIGGER rm_title_fts_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO rm_title_fts(rm_title_fts, rowid, {_COLS}) "
        f"VALUES ('delete', old.rowid, {old}); END",
        f"CREATE TRIGGER rm_title_fts_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO rm_title_fts(rm_title_fts, rowid, {_COLS}) "
        f"VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO rm_title_fts(rowid, {_COLS}) VALUES (new.rowid, {new}); END",
    ]


class TitleSearch(Projection):
    name = "title_search"
    tables = (search,)

    def after_create(self, conn: Connection, built: dict[str, str]) -> None:
        # PostgreSQL: the weighted document is a generated column of the new table from the
        # start (adding it later would rewrite the table); its GIN index comes after the
        # fold (after_fold). SQLite: the FTS5 index follows the live table's rowids, so it
        # is rebuilt once at the swap instead (after_swap).
        if conn.dialect.name == "postgresql":
            table = built[search.name]
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN doc tsvector "
                                 f"GENERATED ALWAYS AS ({PG_DOC}) STORED")

    def after_fold(self, conn: Connection, built: dict[str, str]) -> None:
        if conn.dialect.name == "postgresql":
            table = built[search.name]
            conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{table}_doc ON {table} USING gin (doc)")

    def after_swap(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            return
        for name in ("ai", "ad", "au"):  # they went with the dropped table; be sure
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS rm_title_fts_{name}")
        for statement in sqlite_fts_triggers():
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("INSERT INTO rm_title_fts(rm_title_fts) VALUES ('rebuild')")

    @handles(TitleCatalogued)
    def catalogued(self, conn: Connection, e: TitleCatalogued, s: StoredEvent) -> None:
        data = {k: v for k, v in to_data(e).items() if k not in ("source_keys",)}
        conn.execute(search.insert(), build_row(e.title_id, data, []))

    @handles(TitleUpdated)
    def updated(self, conn: Connection, e: TitleUpdated, s: StoredEvent) -> None:
        self._rewrite(conn, e.title_id, to_data(e)["changes"])

    @handles(CopyAdded)
    def copy_added(self, conn: Connection, e: CopyAdded, s: StoredEvent) -> None:
        # A copy only adds its shelf mark and volume to the end of other_doc: append its new
        # terms (the same document build_row makes, see search_text.extend_document) instead
        # of re-deriving every column, pinyin included, once per copy.
        copy = [e.shelf_mark, e.enumeration, e.chronology]
        if not any(copy):
            return
        row = conn.execute(_COPIES, {"t": e.title_id}).first()
        if row is None:
            return
        conn.execute(_ADD_COPY, {"t": e.title_id, "copies": [*row.copies, copy],
                                 "other_doc": extend_document(row.other_doc,
                                                              *copy_parts([copy]))})

    def _rewrite(self, conn: Connection, title_id: str, changes: dict[str, Any]) -> None:
        row = conn.execute(select(search.c.data, search.c.copies)
                           .where(search.c.title_id == title_id)).first()
        if row is None:
            return
        values = build_row(title_id, {**row.data, **changes}, list(row.copies))
        del values["title_id"]
        conn.execute(update(search).where(search.c.title_id == title_id).values(**values))


# Built once: copies arrive by the thousand in an import or a rebuild.
_COPIES = select(search.c.copies, search.c.other_doc).where(search.c.title_id == bindparam("t"))
_ADD_COPY = (update(search).where(search.c.title_id == bindparam("t"))
             .values(copies=bindparam("copies"), other_doc=bindparam("other_doc")))
