from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook

from service.data.importing.readers_file import (
    ReaderRow,
    RowError,
    parse_readers,
    write_error_report,
)

EN_CSV = (
    "card_number,name,category,phone,email,language,expiry\n"
    "R0001,Li Lei,adult,+86 138-0013-8000,li.lei@example.cn,zh-CN,2027-06-30\n"
    "R0002,Ann Smith,student,,ann@example.org,en,\n"
)
ZH_CSV = (
    "读者证号,姓名,类别,电话,电子邮箱,语言,有效期至\n"
    "A100,张三,成人,13800138000,zhang@example.cn,中文,2026-12-31\n"
    "A101,李四,学生,,,,\n"
)


def test_an_english_csv_gives_one_row_per_reader_with_typed_values() -> None:
    result = parse_readers(EN_CSV.encode("utf-8"))
    assert result.errors == ()
    assert result.encoding == "utf-8"
    assert result.rows == (
        ReaderRow(2, "R0001", "Li Lei", "adult", "+8613800138000", "li.lei@example.cn",
                  "zh-CN", date(2027, 6, 30)),
        ReaderRow(3, "R0002", "Ann Smith", "student", None, "ann@example.org", "en", None),
    )  # fmt: skip


def test_chinese_headers_in_gb18030_are_understood() -> None:
    result = parse_readers(ZH_CSV.encode("gb18030"))
    assert result.encoding == "gb18030"
    assert result.errors == ()
    assert result.rows[0] == ReaderRow(
        2, "A100", "张三", "成人", "13800138000", "zhang@example.cn", "zh-CN", date(2026, 12, 31)
    )
    assert result.rows[1].name == "李四"


def test_a_utf8_bom_is_not_mistaken_for_part_of_the_first_header() -> None:
    result = parse_readers(b"\xef\xbb\xbf" + ZH_CSV.encode("utf-8"))
    assert result.encoding == "utf-8-sig"
    assert [r.card_number for r in result.rows] == ["A100", "A101"]


def test_only_the_columns_present_are_reported_so_absent_ones_are_left_alone() -> None:
    result = parse_readers("证号\t姓名\tNotes\nC1\t王五\tVIP\n".encode())
    assert result.columns == frozenset({"card_number", "name"})
    assert result.ignored_headers == ("Notes",)
    assert result.rows == (ReaderRow(2, "C1", "王五"),)


def test_each_bad_cell_is_reported_with_its_row_column_and_both_languages() -> None:
    data = (
        b"card_number,name,phone,email,language,expiry\n"
        b",No Card,,,,\n"
        b"B2,Bad Mail,,not-an-email,,\n"
        b"B3,Bad Lang,,,fr,\n"
        b"B4,Bad Date,,,,31/12/2026\n"
        b"B5,Bad Phone,call me,,,\n"
        b"B6,Impossible Date,,,,2026-02-30\n"
        b"B7,Fine,,,,\n"
        b"B7,Again,,,,\n"
    )
    result = parse_readers(data)
    assert [(e.row_number, e.column, e.code) for e in result.errors] == [
        (2, "card_number", "required"),
        (3, "email", "bad_email"),
        (4, "language", "bad_language"),
        (5, "expiry", "bad_date"),
        (6, "phone", "bad_phone"),
        (7, "expiry", "bad_date"),
        (9, "card_number", "duplicate_card"),
    ]
    assert [r.card_number for r in result.rows] == ["B7"]
    assert result.errors[1].reason_en == "'not-an-email' is not an e-mail address."
    assert result.errors[1].reason_zh == "“not-an-email”不是有效的电子邮箱。"


def test_a_file_without_a_card_number_column_is_refused_as_a_whole() -> None:
    result = parse_readers(b"name,email\nA,a@b.cn\n")
    assert result.rows == ()
    assert [e.code for e in result.errors] == ["missing_column"]


def test_bytes_that_are_neither_utf8_nor_gb18030_are_reported_not_raised() -> None:
    result = parse_readers(b"card_number\n\x81\x20\n")
    assert [e.code for e in result.errors] == ["bad_encoding"]


def test_an_xlsx_with_date_and_number_cells_is_read_like_a_csv() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["读者证号", "姓名", "电话", "有效期至"])
    sheet.append(["X1", "赵六", 13900139000, datetime(2028, 1, 15)])
    sheet.append([None, None, None, None])
    sheet.append([2002, "Numbered Card", None, "2028-02-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_readers(buffer.getvalue())
    assert result.errors == ()
    assert result.encoding is None
    assert result.rows == (
        ReaderRow(2, "X1", "赵六", phone="13900139000", expiry=date(2028, 1, 15)),
        ReaderRow(4, "2002", "Numbered Card", expiry=date(2028, 2, 1)),
    )


def test_a_phone_guarded_against_formula_injection_by_our_export_is_read_back() -> None:
    result = parse_readers(b"card_number,phone\nP1,'+8613800138000\n")
    assert result.rows[0].phone == "+8613800138000"


def test_the_error_report_is_a_bom_csv_that_excel_and_python_can_read() -> None:
    errors = [
        RowError(3, "email", "bad e-mail", "邮箱错误", "bad_email", "=cmd()"),
        RowError(1, None, "no header", "没有表头"),
    ]
    report = write_error_report(errors)
    assert report.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert rows[0] == ["行号 Row", "列 Column", "值 Value", "原因", "Reason"]
    assert rows[1] == ["3", "email", "'=cmd()", "邮箱错误", "bad e-mail"]
    assert rows[2] == ["1", "", "", "没有表头", "no header"]


def test_a_corrupt_xlsx_is_an_error_not_a_crash() -> None:
    result = parse_readers(b"PK\x03\x04 this is not really a zip")
    assert [e.code for e in result.errors] == ["unreadable_file"]
