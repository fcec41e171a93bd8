"""Parse a reader list (CSV or XLSX, en or zh-CN headers) into ReaderRows and RowErrors."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from os import PathLike
from pathlib import Path

from events.text_safety import describe, first_unstorable
from service.data.importing.readers_rules import (
    COLUMNS,
    HEADER_ALIASES,
    CellError,
    RowError,
    cell_text,
    header_key,
    parse_email,
    parse_expiry,
    parse_language,
    parse_phone,
    row_error,
)

__all__ = [
    "COLUMNS",
    "ReaderRow",
    "ReadersFile",
    "RowError",
    "decode_text",
    "parse_readers",
    "parse_readers_file",
    "write_error_report",
]

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ReaderRow:
    """One valid reader line; blank optional cells are None."""

    row_number: int  # spreadsheet row, the header being row 1
    card_number: str
    name: str | None = None
    category: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None  # 'zh-CN' or 'en'
    expiry: date | None = None


@dataclass(frozen=True)
class ReadersFile:
    """Everything read from one file: good rows, errors, and which columns the file had."""

    rows: tuple[ReaderRow, ...]
    errors: tuple[RowError, ...]
    # Columns present: an importer updates only these, so a file without 'phone' keeps phones.
    columns: frozenset[str]
    encoding: str | None  # None for XLSX
    ignored_headers: tuple[str, ...] = ()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Chinese Excel saves "CSV" in the system code page; GB18030 is a superset of GBK/GB2312.
        return data.decode("gb18030"), "gb18030"


def _csv_rows(text: str) -> Iterator[list[object]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook  # imported here: CSV-only callers never pay for it

    with warnings.catch_warnings():
        # Workbooks from other tools often lack a default style; harmless for reading values.
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _map_header(
    header: Sequence[object],
) -> tuple[dict[str, int], list[RowError], tuple[str, ...]]:
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        column = HEADER_ALIASES.get(header_key(text))
        if column is None:
            if text:
                ignored.append(text)
        elif column in positions:
            errors.append(row_error(1, column, "duplicate_column", column))
        else:
            positions[column] = index
    if "card_number" not in positions:
        errors.append(row_error(1, "card_number", "missing_column"))
    return positions, errors, tuple(ignored)


def _parse_row(
    number: int, cells: Sequence[object], positions: dict[str, int]
) -> tuple[ReaderRow | None, list[RowError]]:
    raw = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
    text = {c: cell_text(v) for c, v in raw.items()}
    errors: list[RowError] = []
    values: dict[str, object] = {}
    rules: dict[str, Callable[[], object]] = {
        "email": lambda: parse_email(text["email"]),
        "language": lambda: parse_language(text["language"]),
        "phone": lambda: parse_phone(text["phone"]),
        "expiry": lambda: parse_expiry(raw["expiry"], text["expiry"]),
    }
    for column in positions:
        if (char := first_unstorable(text[column])) is not None:
            # Named by its code point only: the character itself must not reach the report.
            errors.append(row_error(number, column, "unstorable_text", describe(char)))
            continue
        try:
            values[column] = rules[column]() if column in rules else (text[column] or None)
        except CellError as exc:
            errors.append(row_error(number, column, exc.code, text[column]))
    if not text.get("card_number"):
        errors.append(row_error(number, "card_number", "required"))
    if errors:
        return None, errors
    return ReaderRow(row_number=number, **values), []  # type: ignore[arg-type]


def _parse_table(rows: Iterable[Sequence[object]], encoding: str | None) -> ReadersFile:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        return ReadersFile((), (row_error(1, None, "empty_file"),), frozenset(), encoding)
    positions, errors, ignored = _map_header(header)
    if "card_number" not in positions:
        return ReadersFile((), tuple(errors), frozenset(positions), encoding, ignored)
    good: list[ReaderRow] = []
    seen: set[str] = set()
    for number, cells in enumerate(iterator, start=2):
        if all(cell_text(c) == "" for c in cells):
            continue  # blank lines are common at the end of spreadsheets
        row, row_errors = _parse_row(number, cells, positions)
        if row is not None and row.card_number in seen:
            row_errors = [row_error(number, "card_number", "duplicate_card", row.card_number)]
            row = None
        errors.extend(row_errors)
        if row is not None:
            seen.add(row.card_number)
            good.append(row)
    return ReadersFile(tuple(good), tuple(errors), frozenset(positions), encoding, ignored)


def parse_readers(data: bytes) -> ReadersFile:
    """Parse reader-file bytes; XLSX is recognised by content, anything else is CSV text."""
    if data.startswith(_ZIP_MAGIC):
        try:
            return _parse_table(_xlsx_rows(data), None)
        except Exception as exc:  # a damaged workbook is the file's problem, not a crash
            error = row_error(1, None, "unreadable_file", type(exc).__name__)
            return ReadersFile((), (error,), frozenset(), None)
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError:
        return ReadersFile((), (row_error(1, None, "bad_encoding"),), frozenset(), None)
    try:
        return _parse_table(_csv_rows(text), encoding)
    except csv.Error as exc:
        return ReadersFile(
            (), (row_error(1, None, "unreadable_file", str(exc)),), frozenset(), encoding
        )


def parse_readers_file(path: str | PathLike[str]) -> ReadersFile:
    """Parse a reader CSV or XLSX file from disk."""
    return parse_readers(Path(path).read_bytes())


REPORT_HEADER = ("行号 Row", "列 Column", "值 Value", "原因", "Reason")


def write_error_report(errors: Iterable[RowError]) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel shows Chinese) listing every error, one per line."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    for e in errors:
        value = "'" + e.value if e.value[:1] in ("=", "+", "-", "@") else e.value
        writer.writerow([e.row_number, e.column or "", value, e.reason_zh, e.reason_en])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
