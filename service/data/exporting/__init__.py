"""Streamed exports from the read models, with the log position they reflect."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from sqlalchemy import Connection, Engine, func, select

from projections.schema import checkpoints
from service.data.exporting.kinds import KINDS
from service.data.exporting.model import ExportKind, ExportParams, is_zh
from service.data.exporting.writers import stream_csv, stream_xlsx
from service.domain.errors import NotFound

__all__ = ["FORMATS", "KINDS", "Export", "ExportKind", "ExportParams", "content_disposition",
           "export_filename",
           "kind_named", "open_export"]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def kind_named(name: str) -> ExportKind:
    """The export kind of this name, or a 404-style refusal listing the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise NotFound("unknown_export", f"Unknown export '{name}'; known: {known}.",
                       f"没有名为“{name}”的导出；可用：{known}。") from None


def _position(conn: Connection, kind: ExportKind) -> int:
    lowest = conn.scalar(select(func.min(checkpoints.c.position))
                         .where(checkpoints.c.name.in_(kind.projections)))
    return int(lowest or 0)


@dataclass
class Export:
    """An open export: header and rows read in one snapshot that has reached ``position``."""

    kind: ExportKind
    lang: str
    position: int
    header: list[str]
    rows: Iterator[Sequence[object]]
    conn: Connection

    def close(self) -> None:
        """End the read transaction and give the connection back."""
        self.conn.close()

    def stream(self, fmt: str) -> Iterator[bytes]:
        """The file's bytes (CSV with BOM, or XLSX); the connection closes when done."""
        try:
            if fmt == "xlsx":
                yield from stream_xlsx(self.header, self.rows, self.kind.title(self.lang))
            else:
                yield from stream_csv(self.header, self.rows)
        finally:
            self.close()


def open_export(engine: Engine, kind: ExportKind, params: ExportParams, lang: str) -> Export:
    """Open a read snapshot, read the position it reflects, and prepare the row stream.

    The position is the lowest checkpoint of the projections read, taken in the same
    snapshot as the rows (REPEATABLE READ on PostgreSQL; SQLite's read transaction is a
    snapshot), so every event up to it is in the file.
    """
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        conn.begin()
        position = _position(conn, kind)
        rows = kind.rows(conn, params)
    except BaseException:
        conn.close()
        raise
    return Export(kind, lang, position, kind.header(lang), rows, conn)


def export_filename(kind: ExportKind, lang: str, fmt: str, position: int,
                    today: date) -> tuple[str, str]:
    """(ASCII file name, UTF-8 file name in the chosen language), both naming the position."""
    ascii_name = f"lector-{kind.name}-{today.isoformat()}-pos{position}.{fmt}"
    if not is_zh(lang):
        return ascii_name, ascii_name
    return ascii_name, f"{kind.title_zh}-{today.isoformat()}-位置{position}.{fmt}"


def content_disposition(ascii_name: str, utf8_name: str) -> str:
    """An attachment header with an ASCII fallback and the RFC 5987 UTF-8 name."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(utf8_name)}"
