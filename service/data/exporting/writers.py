"""Streaming CSV and XLSX writers: any number of rows in constant memory."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

import xlsxwriter

CHUNK_SIZE = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
_BATCH_ROWS = 128
XLSX_MAX_ROWS = 1_048_576  # Excel's hard limit per sheet, header included
# Cells starting with these are run as formulas by spreadsheet programs (CSV injection).
_FORMULA_START = frozenset("=+-@\t\r")
# XML 1.0 forbids these control characters.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HAS_CONTROL = _ILLEGAL_XML.search


def _csv_row(row: Sequence[object], formula_guard: bool) -> list[object]:
    # csv.writer already writes None as "" and a date as YYYY-MM-DD; only datetimes (ISO 'T')
    # and formula-like strings need help. This runs once per cell, so it is kept lean.
    out: list[object] = []
    for value in row:
        if isinstance(value, str):
            if formula_guard and value[:1] in _FORMULA_START:
                value = "'" + value
        elif isinstance(value, datetime):
            value = value.isoformat()
        out.append(value)
    return out


def stream_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    formula_guard: bool = True,
    chunk_size: int = CHUNK_SIZE,
    notes: Sequence[str] = (),
) -> Iterator[bytes]:
    """Yield a UTF-8 CSV with BOM: BOM and header at once, then rows in ~chunk_size pieces.

    ``notes`` (definitions) go first, one "# ..." line each, then an empty line."""
    # chunk_size counts characters (cheap to track); a chunk of CJK text is up to 3x in bytes.
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if notes:
        writer.writerows([[f"# {note}"] for note in notes] + [[]])
    writer.writerow(header)
    # The header goes out before any row is pulled so an HTTP client sees the download start.
    yield UTF8_BOM + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    source = iter(rows)
    # Small batches let csv.writer loop in C; the chunk size is checked between batches.
    while batch := list(islice(source, _BATCH_ROWS)):
        writer.writerows([_csv_row(row, formula_guard) for row in batch])
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _sheet_title(title: str, part: int) -> str:
    clean = re.sub(r"[\\/?*\[\]:]", "_", title).strip("'") or "Sheet"
    suffix = f" ({part})" if part > 1 else ""
    return clean[: 31 - len(suffix)] + suffix  # Excel allows 31 characters


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)  # XML 1.0 cannot carry these at all
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones; keep the offset as text
    if value is None or isinstance(value, (int, float, Decimal, date, bool)):
        return value
    return str(value)


def _write_xlsx(path: str, header: Sequence[str], rows: Iterable[Sequence[object]], title: str,
                notes: Sequence[str] = (), notes_title: str = "Definitions") -> None:
    # XlsxWriter's constant-memory mode flushes each row to the sheet's temporary file as soon
    # as the next row starts, and writes strings inline (no shared-string table in memory).
    # Strings stay strings: nothing turns "=..." into a formula or "http..." into a link.
    book = xlsxwriter.Workbook(path, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd hh:mm:ss",
        "tmpdir": tempfile.gettempdir()})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    part, used = 0, XLSX_MAX_ROWS
    sheet: Any = None
    for row in rows:
        if used >= XLSX_MAX_ROWS:  # more rows than a sheet holds: continue on the next sheet
            part += 1
            sheet = book.add_worksheet(_sheet_title(title, part))
            sheet.write_row(0, 0, list(header))
            used = 1
            # The type-specific writers, picked once per cell type (write() tries each type
            # in turn for every cell, which is most of its cost).
            text, number = sheet._write_string, sheet._write_number
            when = sheet._write_datetime
        value: Any
        for col, value in enumerate(row):
            kind = type(value)
            if kind is str:
                text(used, col, _ILLEGAL_XML.sub("", value) if _HAS_CONTROL(value) else value)
            elif kind is int or kind is float or kind is Decimal:
                number(used, col, value)
            elif kind is datetime:
                if value.tzinfo is not None:  # Excel has no time zones: keep the offset as text
                    text(used, col, value.isoformat())
                else:
                    when(used, col, value, moment)
            elif kind is date:
                when(used, col, value, day)
            elif value is not None:
                sheet.write(used, col, _xlsx_value(value))
        used += 1
    if sheet is None:
        book.add_worksheet(_sheet_title(title, 1)).write_row(0, 0, list(header))
    if notes:  # definitions on a sheet of their own, after the data
        sheet = book.add_worksheet(_sheet_title(notes_title, 1))
        for n, note in enumerate(notes):
            sheet.write_string(n, 0, _ILLEGAL_XML.sub("", note))
    book.close()


def stream_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    sheet_title: str,
    *,
    chunk_size: int = CHUNK_SIZE,
    notes: Sequence[str] = (),
    notes_title: str = "Definitions",
) -> Iterator[bytes]:
    """Yield an XLSX workbook built by XlsxWriter (constant memory) in a temporary file."""
    # A ZIP's directory is written last, so the file must be complete before sending it.
    handle, path = tempfile.mkstemp(prefix="lector-export-", suffix=".xlsx")
    os.close(handle)
    try:
        _write_xlsx(path, header, rows, sheet_title, notes, notes_title)
        with open(path, "rb") as stream:
            while chunk := stream.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)
