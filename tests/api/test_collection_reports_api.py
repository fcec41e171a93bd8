"""Collection reports over HTTP: every report answers with its position and definitions,
filters and pages, exports with a definitions header/sheet, settings validate per field."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from service.bootstrap import Lector
from tests.api.circulation_helpers import Library

BASE = "/api/v1/reports/collection"
REPORTS = ("classes", "copies", "titles", "dead-stock", "weeding", "holds", "buy-list")


@pytest.fixture
def library(client: Any, auth: Any) -> Library:
    """A TP title with one copy on loan and two holds, an I title with two idle copies."""
    lib = Library(client, auth)
    for card in ("A1", "A2", "A3"):
        lib.reader(card)
    computing = lib.title("Python 编程", clc="TP311.56")
    novel = lib.title("三体", clc="I247.55")
    lib.copy(computing, "B1")
    lib.copy(novel, "B2", branch="east")
    lib.copy(novel, "B3", branch="east")
    assert lib.checkout("A1", "B1").status_code == 201
    assert lib.hold("A2", computing).status_code == 201
    assert lib.hold("A3", computing).status_code == 201
    return lib


def get(client: Any, auth: Any, path: str, role: str = "librarian") -> Any:
    return client.get(path, headers=auth(role))


@pytest.mark.parametrize("report", REPORTS)
def test_every_collection_report_answers_with_its_position_and_definitions(
    client: Any, auth: Any, lector: Lector, library: Library, report: str,
) -> None:
    reply = get(client, auth, f"{BASE}/{report}")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["position"] == lector.store.last_position()
    assert body["definitions"] and all(d["en"] and d["zh-CN"] for d in body["definitions"])
    assert "renewals" in " ".join(d["en"] for d in body["definitions"]).lower()
    assert {"items", "total", "page", "page_size", "as_of"} <= set(body)


def test_the_class_report_is_chart_ready_with_twelve_month_buckets(
    client: Any, auth: Any, library: Library,
) -> None:
    body = get(client, auth, f"{BASE}/classes").get_json()
    assert len(body["months"]) == 12
    rows = {(r["class"], r["branch"]): r for r in body["items"]}
    assert set(rows) == {("TP", "main"), ("I", "east")}
    tp = rows[("TP", "main")]
    assert (tp["holdings"], tp["circulations"], tp["monthly"][-1]) == (1, 1, 1)
    assert tp["turnover"] == 1.0 and tp["percent_circulated"] == 100.0
    assert tp["relative_use"] == 3.0  # all the loans on a third of the holdings
    assert rows[("I", "east")]["relative_use"] == 0.0
    assert body["totals"]["holdings"] == 3


def test_filters_and_pages_narrow_the_rows(client: Any, auth: Any, library: Library) -> None:
    east = get(client, auth, f"{BASE}/copies?branch=east").get_json()
    assert [c["barcode"] for c in east["items"]] == ["B2", "B3"]
    paged = get(client, auth, f"{BASE}/copies?page=2&page_size=2").get_json()
    assert (paged["total"], [c["barcode"] for c in paged["items"]]) == (3, ["B3"])
    only_t = get(client, auth, f"{BASE}/classes?class=T").get_json()
    assert [r["class"] for r in only_t["items"]] == ["TP"]


def test_the_buy_list_asks_for_copies_when_holds_outrun_them(client: Any, auth: Any,
                                                             library: Library) -> None:
    put = client.put("/api/v1/report-settings", json={"holds_per_copy": {"book": 1}},
                     headers=auth("admin"))
    assert put.status_code == 200, put.get_json()
    reply = get(client, auth, f"{BASE}/buy-list")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert [(r["title"], r["active_holds"], r["holdable_copies"], r["copies_needed"])
            for r in body["items"]] == [("Python 编程", 2, 1, 1)]


def test_a_past_date_before_anything_happened_shows_an_empty_collection(
    client: Any, auth: Any, library: Library,
) -> None:
    body = get(client, auth, f"{BASE}/copies?as_of=2001-01-01").get_json()
    assert (body["total"], body["as_of"]) == (0, "2001-01-01")


def test_bad_arguments_get_problem_details_and_desk_staff_are_refused(
    client: Any, auth: Any, library: Library,
) -> None:
    reply = get(client, auth, f"{BASE}/classes?scheme=udc&as_of=yesterday")
    assert reply.status_code == 422
    assert reply.mimetype == "application/problem+json"
    assert {"scheme", "as_of"} <= set(reply.get_json()["errors"])
    assert get(client, auth, f"{BASE}/dead-stock?months=0").status_code == 422
    assert get(client, auth, f"{BASE}/classes?as_of=9999-12-31").status_code == 422
    assert get(client, auth, f"{BASE}/classes", role="desk").status_code == 403


def test_report_settings_validate_per_field_and_take_effect(client: Any, auth: Any,
                                                            library: Library) -> None:
    bad = client.put("/api/v1/report-settings", headers=auth("admin"), json={
        "dead_stock_months": 0, "holds_per_copy": {"book": -1},
        "weeding": {"clc": {"TP": {"age_years": "old", "idle_years": 2}}, "udc": {}}})
    assert bad.status_code == 422
    assert bad.get_json()["code"] == "invalid_report_settings"
    assert set(bad.get_json()["errors"]) >= {
        "dead_stock_months", "holds_per_copy.book", "weeding.clc.TP.age_years", "weeding.udc"}
    assert get(client, auth, "/api/v1/report-settings").get_json()["dead_stock_months"] == 24
    good = client.put("/api/v1/report-settings", headers=auth("admin"), json={
        "dead_stock_months": 6, "weeding": {"clc": {"I": {"age_years": None, "idle_years": 1}}}})
    assert good.status_code == 200, good.get_json()
    now = get(client, auth, "/api/v1/report-settings").get_json()
    assert now["dead_stock_months"] == 6
    assert now["weeding"]["clc"]["I"] == {"age_years": None, "idle_years": 1}
    assert now["weeding"]["clc"]["TP"] == {"age_years": 3, "idle_years": 2}  # default kept
    assert get(client, auth, f"{BASE}/dead-stock").get_json()["months"] == 6
    assert client.put("/api/v1/report-settings", headers=auth("librarian"),
                      json={}).status_code == 403


def test_a_collection_csv_export_states_its_definitions_above_the_header(
    client: Any, auth: Any, library: Library,
) -> None:
    reply = get(client, auth, "/api/v1/exports/collection-classes?format=csv&lang=zh-CN")
    assert reply.status_code == 200
    lines = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    notes = [row[0] for row in lines if row and row[0].startswith("# ")]
    assert any("续借" in n for n in notes) and any("月份列" in n for n in notes)
    header = lines[len(notes) + 1]
    assert header[:4] == ["分类", "分馆", "馆藏量", "流通次数"]
    assert lines[len(notes) + 2][:4] == ["I", "east", "2", "0"]


def test_a_collection_xlsx_export_has_a_definitions_sheet(client: Any, auth: Any,
                                                          library: Library) -> None:
    reply = get(client, auth, "/api/v1/exports/collection-holds?format=xlsx&lang=en")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.data), read_only=True)
    data, notes = ([list(r) for r in sheet.iter_rows(values_only=True)]
                   for sheet in book.worksheets)
    book.close()
    assert data[0][:3] == ["title_id", "title", "class"]
    assert [r[1] for r in data[1:]] == ["Python 编程"]
    assert any("Active holds" in r[0] for r in notes)
