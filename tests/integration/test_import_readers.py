"""Reader import through the real reader handlers: create, update, dry run, encodings, round trip."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from projections.reader_profiles import get_reader_by_card
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.data.exporting import KINDS, ExportParams, open_export
from service.data.importing import import_readers

ACTOR = Actor(Principal("staff", "importer", "admin"), "api")
FILE = (
    "读者证号,姓名,类别,电话,电子邮箱,语言,有效期至\n"
    "A100,张三,adult,+86 138-0013-8000,zhang@example.cn,zh-CN,2026-12-31\n"
    "A101,Ann Smith,student,,ann@example.org,en,\n"
    "A102,=王五,,,,,\n"
)


def _readers(lector: Lector, data: bytes, **kw: Any) -> Any:
    return import_readers(lector.ports, ACTOR, data, **kw)


def _profile(lector: Lector, card: str) -> dict[str, Any] | None:
    with lector.engine.connect() as conn:
        return get_reader_by_card(conn, card)


def _export_readers(lector: Lector) -> bytes:
    today = datetime.now(UTC).date()
    export = open_export(lector.engine, KINDS["readers"], ExportParams(today), "zh-CN")
    return b"".join(export.stream("csv"))


@pytest.fixture
def empty_library(request: pytest.FixtureRequest, database_url: str, tmp_path: Any
                  ) -> Iterator[Lector]:
    """A second, empty library on the same back end as ``lector``."""
    name = "sqlite_factory" if database_url.startswith("sqlite") else "postgres_factory"
    factory = request.getfixturevalue(name)
    url = factory.new()
    other = bootstrap(Config(database_url=url, secret_key="s", instance_dir=tmp_path))
    yield other
    other.dispose()
    factory.drop(url)


def test_new_cards_are_registered_with_every_column_of_the_file(lector: Lector) -> None:
    result = _readers(lector, FILE.encode())
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    zhang = _profile(lector, "A100")
    assert zhang is not None
    assert (zhang["name"], zhang["phone"], zhang["expires_on"]) == (
        "张三", "+8613800138000", date(2026, 12, 31))
    a102 = _profile(lector, "A102")
    assert a102 is not None and (a102["name"], a102["category"]) == ("=王五", "adult")


def test_a_known_card_is_updated_with_only_what_changed(lector: Lector) -> None:
    _readers(lector, FILE.encode())
    second = "card_number,phone,email\nA100,13900000000,\nA101,,ann@example.org\n"
    result = _readers(lector, second.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert result.changes[0].changes == {"phone": "13900000000", "email": None}
    zhang = _profile(lector, "A100")
    assert zhang is not None
    assert (zhang["name"], zhang["phone"], zhang["email"]) == ("张三", "13900000000", None)


def test_a_dry_run_reports_the_changes_and_appends_nothing(lector: Lector) -> None:
    _readers(lector, FILE.encode())
    head = lector.store.last_position()
    changed = FILE.replace("Ann Smith", "Ann Jones") + "A200,新读者,adult,,,,\n"
    result = _readers(lector, changed.encode(), dry_run=True)
    assert (result.dry_run, result.created, result.updated, result.unchanged) == (True, 1, 1, 2)
    assert lector.store.last_position() == head
    assert _profile(lector, "A200") is None


def test_gb18030_and_utf8_with_bom_files_read_the_same_chinese_names(lector: Lector) -> None:
    gb = _readers(lector, FILE.encode("gb18030"))
    assert (gb.encoding, gb.created) == ("gb18030", 3)
    bom = _readers(lector, b"\xef\xbb\xbf" + FILE.encode())
    assert (bom.encoding, bom.unchanged) == ("utf-8-sig", 3)
    zhang = _profile(lector, "A100")
    assert zhang is not None and zhang["name"] == "张三"


def test_bad_rows_are_reported_in_a_report_file_and_the_good_rows_go_in(lector: Lector) -> None:
    data = ("读者证号,姓名,类别,电子邮箱\nB1,好读者,adult,\nB2,,adult,\nB3,坏邮箱,adult,x@\n"
            "B 4,空格,adult,\nB5,类别,Adult!,\n")
    result = _readers(lector, data.encode())
    assert result.created == 1
    assert [(e.row_number, e.code) for e in result.errors] == [
        (3, "name_required"), (4, "bad_email"), (5, "bad_card"), (6, "bad_category")]
    report = list(csv.reader(io.StringIO(result.error_report().decode("utf-8-sig"))))
    assert [row[0] for row in report[1:]] == ["3", "4", "5", "6"]
    assert "新读者必须填写姓名。" in report[1][3]


def test_a_reader_export_imported_into_an_empty_library_exports_the_same(
    lector: Lector, empty_library: Lector
) -> None:
    _readers(lector, FILE.encode())
    first = _export_readers(lector)
    result = _readers(empty_library, first)
    assert (result.created, result.errors) == (3, [])
    assert _export_readers(empty_library) == first
    assert "张三".encode() in first and b"'=" in first


def test_a_row_holding_nul_or_a_control_character_is_a_row_error_and_appends_nothing(
    lector: Lector,
) -> None:
    data = "读者证号,姓名,类别\nN1,好读者,adult\nN2,坏\u0000人,adult\nN3\u0001,某人,adult\n"
    before = lector.store.last_position()
    result = _readers(lector, data.encode())
    assert result.created == 1
    assert [(e.row_number, e.column, e.code) for e in result.errors] == [
        (3, "name", "unstorable_text"), (4, "card_number", "unstorable_text")]
    assert "U+0000" in result.errors[0].reason_en
    assert "\u0000" not in result.error_report().decode("utf-8-sig")
    assert [e.type for e in lector.store.read_all(before)] == ["reader.registered"]
