"""Streaming CSV and XLSX writers: any number of rows in constant memory."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

CHUNK_SIZE = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
_BATCH_ROWS = 128
XLSX_MAX_ROWS = 1_048_576  # Excel's hard limit per sheet, header included
# Cells starting with these are run as formulas by spreadsheet programs (CSV injection).
_FORMULA_START = frozenset("=+-@\t\r")
# XML 1.0 forbids these control characters; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
) -> Iterator[bytes]:
    """Yield a UTF-8 CSV with BOM: BOM and header at once, then rows in ~chunk_size pieces."""
    # chunk_size counts characters (cheap to track); a chunk of CJK text is up to 3x in bytes.
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
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


def _xlsx_cell(sheet: Any, value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones; keep the offset as text
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_XML.sub("", value)
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        return cell
    return text


def _write_xlsx(path: str, header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> None:
    book = Workbook(write_only=True)
    part, used = 0, XLSX_MAX_ROWS
    sheet = None
    for row in rows:
        if used >= XLSX_MAX_ROWS:  # more rows than a sheet holds: continue on the next sheet
            part += 1
            sheet = book.create_sheet(_sheet_title(title, part))
            sheet.append(list(header))
            used = 1
        assert sheet is not None
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        used += 1
    if sheet is None:
        book.create_sheet(_sheet_title(title, 1)).append(list(header))
    book.save(path)


def stream_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    sheet_title: str,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """Yield an XLSX workbook built in openpyxl write-only mode in a temporary file."""
    # A ZIP's directory is written last, so the file must be complete before sending it.
    handle, path = tempfile.mkstemp(prefix="lector-export-", suffix=".xlsx")
    os.close(handle)
    try:
        _write_xlsx(path, header, rows, sheet_title)
        with open(path, "rb") as stream:
            while chunk := stream.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)
