from __future__ import annotations

import csv
import glob
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime

from openpyxl import load_workbook

from service.data.exporting.writers import stream_csv, stream_xlsx

HEADER = ["读者证号", "姓名", "题名", "应还日期", "罚款（分）"]
ROWS = [
    ["A100", "张三", "红楼梦：十二钗", date(2026, 3, 1), 150],
    ["A101", 'Ann "Nan" Smith', "War, and Peace\nVol. 1", None, 0],
]


class CountingRows:
    """A lazy row source that records how many rows were pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    def __iter__(self) -> Iterator[list[object]]:
        for n in range(self.total):
            self.pulled += 1
            yield [f"R{n:07d}", "借阅者", "三体", "2026-01-01", n]


def _xlsx_temp_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "lector-export-*.xlsx")))


def test_csv_starts_with_a_bom_and_round_trips_chinese_text_and_quoting() -> None:
    data = b"".join(stream_csv(HEADER, ROWS))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        HEADER,
        ["A100", "张三", "红楼梦：十二钗", "2026-03-01", "150"],
        ["A101", 'Ann "Nan" Smith', "War, and Peace\nVol. 1", "", "0"],
    ]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_prefixed() -> None:
    data = b"".join(stream_csv(["x"], [["=HYPERLINK(1)"], ["+86138"], ["ok"], [-5]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["x"], ["'=HYPERLINK(1)"], ["'+86138"], ["ok"], ["-5"]]


def test_csv_rows_are_pulled_lazily_and_emitted_in_bounded_chunks() -> None:
    source = CountingRows(1_000_000)
    chunks = stream_csv(["card", "name", "title", "due", "n"], source)
    first = next(chunks)
    assert source.pulled == 0
    assert first.startswith(b"\xef\xbb\xbf")
    second = next(chunks)
    # About 64 KiB of ~40-byte rows: a couple of thousand rows, not the million available.
    assert 500 < source.pulled < 5_000
    # The chunk size counts characters, so a CJK-heavy chunk is larger in bytes (at most 3x).
    assert 64 * 1024 <= len(second) < 3 * 64 * 1024


def test_csv_of_no_rows_is_just_the_bom_and_header() -> None:
    assert b"".join(stream_csv(["a", "b"], [])) == b"\xef\xbb\xbfa,b\r\n"


def test_xlsx_is_readable_by_openpyxl_with_header_values_and_types() -> None:
    rows = [*ROWS, ["A102", "=1+1", "bell\x07ringer", datetime(2026, 1, 2, 9, 30), 3]]
    data = b"".join(stream_xlsx(HEADER, rows, "当前借阅/Current loans"))
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.worksheets[0]
    assert sheet.title == "当前借阅_Current loans"
    values = list(sheet.iter_rows(values_only=True))
    book.close()
    assert values[0] == tuple(HEADER)
    assert values[1] == ("A100", "张三", "红楼梦：十二钗", datetime(2026, 3, 1), 150)
    assert values[2][1] == 'Ann "Nan" Smith'
    # A value that looks like a formula stays text; control characters are dropped.
    assert values[3] == ("A102", "=1+1", "bellringer", datetime(2026, 1, 2, 9, 30), 3)


def test_xlsx_is_streamed_in_chunks_and_its_temporary_file_is_removed() -> None:
    before = _xlsx_temp_files()
    source = CountingRows(8_000)
    chunks = list(stream_xlsx(["card", "name", "title", "due", "n"], source, "Loans"))
    assert source.pulled == 8_000
    assert len(chunks) > 1
    assert all(len(c) <= 64 * 1024 for c in chunks)
    assert _xlsx_temp_files() == before


def test_an_abandoned_xlsx_download_still_removes_its_temporary_file() -> None:
    before = _xlsx_temp_files()
    chunks = stream_xlsx(["n"], ([n] for n in range(30_000)), "Loans")
    next(chunks)
    assert len(_xlsx_temp_files() - before) == 1
    chunks.close()  # what a WSGI server does when the client goes away
    assert _xlsx_temp_files() == before
