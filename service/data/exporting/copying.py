"""CSV through PostgreSQL's COPY: the same cells the Python writer makes, formatted in SQL.

A kind that can say its rows as one SELECT of text cells gives ``copy``; on PostgreSQL its
CSV body is then ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` read in the export's snapshot,
so no row passes through Python. Each helper renders a cell exactly as
``service.data.exporting.writers.stream_csv`` renders the Python value (tested kind by kind).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Numeric, String, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from service.data.exporting.writers import UTF8_BOM

_ISO = 'YYYY-MM-DD"T"HH24:MI:SS.US'


def text_cell(column: Any) -> ColumnElement[Any]:
    """A text cell with the writer's formula guard: = + - @ tab CR at the start get a quote."""
    value = cast(column, String)
    first = func.substr(value, 1, 1)
    guarded = first.in_([literal(c) for c in "=+-@\t\r"])
    return case((guarded, literal("'") + value), else_=value)


def time_cell(column: Any, timezone: str) -> ColumnElement[Any]:
    """A stored instant as naive wall-clock ISO time in the library's zone (isoformat())."""
    local = func.timezone(literal(timezone), column)
    # isoformat() leaves the microseconds out when they are zero.
    return func.regexp_replace(func.to_char(local, literal(_ISO)), literal(r"\.000000$"),
                               literal(""))


def yuan_cell(column: Any) -> ColumnElement[Any]:
    """Integer fen as yuan with two decimals (Decimal(fen).scaleb(-2))."""
    return cast(cast(column, Numeric) / 100, Numeric(20, 2))


def copy_csv(conn: Connection, header: Sequence[str], query: Any,
             chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """BOM and header, then the rows as PostgreSQL's COPY writes them, in ~chunk_size pieces.

    Runs on ``conn``'s own transaction, so the rows come from the export's snapshot.
    """
    out = io.StringIO(newline="")
    # COPY ends rows in LF; the header does too, so the file has one line ending throughout.
    csv.writer(out, lineterminator="\n").writerow(header)
    yield UTF8_BOM + out.getvalue().encode("utf-8")
    compiled = query.compile(dialect=conn.dialect)
    statement = f"COPY ({compiled}) TO STDOUT (FORMAT csv)"
    raw: Any = conn.connection.dbapi_connection
    pending: list[bytes] = []
    size = 0
    with raw.cursor() as cursor, cursor.copy(statement, compiled.params) as copy:
        for data in copy:
            piece = bytes(data)
            pending.append(piece)
            size += len(piece)
            if size >= chunk_size:
                yield b"".join(pending)
                pending, size = [], 0
    if pending:
        yield b"".join(pending)
