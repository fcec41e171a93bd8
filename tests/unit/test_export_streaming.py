"""The writers stream: CSV pulls rows as it goes, XLSX (XlsxWriter constant memory) stays flat."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from service.data.exporting.writers import stream_csv, stream_xlsx

HEADER = ["barcode", "title", "reader", "checked_out", "due", "fine"]


def rows(count: int, pulled: list[int] | None = None) -> Iterator[list[object]]:
    for n in range(count):
        if pulled is not None:
            pulled[0] = n + 1
        yield [f"B{n:08d}", "红楼梦 第" + str(n % 120) + "回", f"读者{n % 997}",
               datetime(2026, 3, 1, 10, n % 60), date(2026, 4, 1), n % 500]


def test_csv_sends_its_first_chunks_before_the_rows_run_out() -> None:
    pulled = [0]
    chunks = stream_csv(HEADER, rows(200_000, pulled), chunk_size=16 * 1024)
    next(chunks)  # BOM and header: no row read yet
    assert pulled[0] == 0
    next(chunks)
    assert 0 < pulled[0] < 5_000


def _xlsx_peak(count: int, into: Path) -> int:
    """Peak Python heap while writing ``count`` rows (the file goes to disk, not memory)."""
    tracemalloc.start()
    with into.open("wb") as sink:
        for chunk in stream_xlsx(HEADER, rows(count), "Loans"):
            sink.write(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_xlsx_memory_does_not_grow_with_the_number_of_rows(tmp_path: Path) -> None:
    small = _xlsx_peak(1_000, tmp_path / "small.xlsx")
    large = _xlsx_peak(20_000, tmp_path / "large.xlsx")
    assert large < small + 512 * 1024  # 20x the rows, well under half a MiB more
    book = load_workbook(tmp_path / "large.xlsx", read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(min_row=20_001, max_row=20_001, values_only=True))
    book.close()
    assert values[0][:3] == ("B00019999", "红楼梦 第79回", "读者59")


def test_xlsx_keeps_formula_like_text_as_text_and_days_as_dates() -> None:
    body = b"".join(stream_xlsx(["a", "b", "c"], [["=1+1", date(2026, 4, 1), "http://x"]], "T"))
    book = load_workbook(io.BytesIO(body))
    cell_a, cell_b, cell_c = book.worksheets[0][2]
    assert (cell_a.value, cell_a.data_type) == ("=1+1", "s")
    assert cell_b.value == datetime(2026, 4, 1) and cell_b.number_format == "yyyy-mm-dd"
    assert cell_c.value == "http://x" and cell_c.hyperlink is None
