"""What an export is: bilingual columns, the projections it reads, and a streaming row query."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Executable

from service.config import DEFAULT_TIMEZONE
from service.domain.locale import EN, ZH, fen_to_decimal, negotiate_lang

STREAM = {"stream_results": True, "yield_per": 1000}


@dataclass(frozen=True)
class ExportParams:
    """Everything a row query may depend on besides the database (passed in, never read)."""

    today: date
    timezone: str = DEFAULT_TIMEZONE
    start: date | None = None  # trends only
    end: date | None = None
    interval: str = "month"
    group_by: str | None = None


Rows = Callable[[Connection, ExportParams], Iterator[Sequence[object]]]


@dataclass(frozen=True)
class ExportKind:
    """One export: its name, (en, zh-CN) column names, projections read and row generator."""

    name: str
    title_en: str
    title_zh: str
    columns: tuple[tuple[str, str], ...]
    projections: tuple[str, ...]
    rows: Rows

    def header(self, lang: str) -> list[str]:
        """Column names in the chosen language."""
        return [zh if is_zh(lang) else en for en, zh in self.columns]

    def title(self, lang: str) -> str:
        return self.title_zh if is_zh(lang) else self.title_en


def is_zh(lang: str) -> bool:
    return negotiate_lang(lang, EN) == ZH


def streamed(conn: Connection, query: Executable) -> Iterator[Any]:
    """Rows through a server-side cursor, fetched a thousand at a time (constant memory)."""
    yield from conn.execution_options(**STREAM).execute(query)


def local_time(zone: ZoneInfo) -> Callable[[datetime | None], datetime | None]:
    """A converter from stored UTC instants to naive wall-clock time in the library's zone."""

    def convert(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        if moment.tzinfo is None:  # SQLite hands back naive UTC
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).replace(tzinfo=None)

    return convert


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen as an exact yuan amount with two decimals (never a float)."""
    return None if fen is None else fen_to_decimal(fen)


def joined(values: Any) -> str:
    """A JSON list of names as one cell."""
    return "; ".join(str(v) for v in values or ())
