"""Exports over HTTP: both formats open with Chinese intact, the position header, roles."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from service.application.context import Actor, Principal
from service.application.feedback import submit_feedback
from service.application.settings import library_today
from service.bootstrap import Lector
from service.data.exporting import KINDS, ExportParams, open_export
from tests.api.circulation_helpers import Library

STAFF = Actor(Principal("staff", "tester", "admin"), "api")


@pytest.fixture
def library(client: Any, auth: Any, lector: Lector) -> Library:
    """Two readers, a Chinese title with two copies, one loan, one hold, one feedback."""
    lib = Library(client, auth)
    zhang = lib.reader("A100", name="张三")
    lib.reader("A101", name="李四")
    title_id = lib.title("中国国际战略导论", clc="D82")
    lib.copy(title_id, "B1")
    assert lib.checkout("A100", "B1").status_code == 201
    assert lib.hold("A101", title_id).status_code == 201
    submit_feedback(lector.ports, STAFF, zhang, "service", "阅览室很安静", 5, None, None)
    return lib


def _get(client: Any, auth: Any, path: str, role: str = "librarian") -> Any:
    return client.get(path, headers=auth(role))


def test_a_csv_export_has_a_bom_chinese_headers_and_rows(client: Any, auth: Any,
                                                          library: Library) -> None:
    reply = _get(client, auth, "/api/v1/exports/loans?format=csv&lang=zh-CN")
    assert reply.status_code == 200
    assert reply.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["条码", "题名", "读者证号", "姓名"]
    assert rows[1][:4] == ["B1", "中国国际战略导论", "A100", "张三"]


def test_an_xlsx_export_opens_in_openpyxl_with_english_headers(client: Any, auth: Any,
                                                                library: Library) -> None:
    reply = _get(client, auth, "/api/v1/exports/readers?format=xlsx&lang=en")
    assert reply.status_code == 200
    assert reply.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(reply.data), read_only=True)
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert values[0][:3] == ["card_number", "name", "category"]
    assert [v[:2] for v in values[1:]] == [["A100", "张三"], ["A101", "李四"]]


def test_the_export_names_the_log_position_it_reflects(client: Any, auth: Any,
                                                       library: Library, lector: Lector) -> None:
    reply = _get(client, auth, "/api/v1/exports/holds?lang=zh-CN")
    position = int(reply.headers["Lector-Position"])
    assert position == lector.store.last_position()
    disposition = reply.headers["Content-Disposition"]
    assert f"pos{position}.csv" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith(f"-位置{position}.csv")


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_kind_downloads_in_both_formats(client: Any, auth: Any, library: Library,
                                                     kind: str, fmt: str) -> None:
    reply = _get(client, auth, f"/api/v1/exports/{kind}?format={fmt}&lang=en")
    assert reply.status_code == 200, reply.get_json()
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    else:
        book = load_workbook(io.BytesIO(reply.data), read_only=True)
        header = list(next(book.worksheets[0].iter_rows(values_only=True)))
        book.close()
    assert header == KINDS[kind].header("en")


def test_feedback_holds_and_history_carry_the_readers_chinese_text(
    client: Any, auth: Any, library: Library
) -> None:
    texts = {kind: _get(client, auth, f"/api/v1/exports/{kind}").data.decode("utf-8-sig")
             for kind in ("feedback", "holds", "history")}
    assert "阅览室很安静" in texts["feedback"]
    assert "李四" in texts["holds"] and ",waiting,1," in texts["holds"]
    assert "中国国际战略导论" in texts["history"]


def test_an_overdue_export_lists_loans_due_before_the_day_it_is_run_for(
    library: Library, lector: Lector
) -> None:
    today = library_today(lector.ports.clock(), lector.ports.timezone)
    for day, expected in ((today, 0), (today + timedelta(days=400), 1)):
        export = open_export(lector.engine, KINDS["overdue"], ExportParams(day), "en")
        rows = list(csv.reader(io.StringIO(b"".join(export.stream("csv")).decode("utf-8-sig"))))
        assert len(rows) - 1 == expected


def test_a_librarian_may_export_but_the_desk_may_not(client: Any, auth: Any) -> None:
    assert _get(client, auth, "/api/v1/exports/readers").status_code == 200
    desk = _get(client, auth, "/api/v1/exports/readers", role="desk")
    assert (desk.status_code, desk.get_json()["code"]) == (403, "forbidden")
    assert client.get("/api/v1/exports/readers").status_code == 401


def test_an_unknown_export_kind_is_a_404_problem(client: Any, auth: Any) -> None:
    reply = _get(client, auth, "/api/v1/exports/secrets")
    assert (reply.status_code, reply.get_json()["code"]) == (404, "unknown_export")
