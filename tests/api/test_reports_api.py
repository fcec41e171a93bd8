"""The Readers, Top and Service reports through the API: figures, filters, position, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.application.context import Ports
from tests.api.circulation_helpers import Library
from tests.api.test_circulation_api import MovableClock


@pytest.fixture
def lib(client: Any, auth: Any, lector: Any) -> Library:
    ports: Ports = lector.ports
    ports.clock = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Monday 10:00 Shanghai
    return Library(client, auth)


def _circulate(lib: Library) -> dict[str, str]:
    ids = {"R1": lib.reader("R1"), "R2": lib.reader("R2", category="child")}
    fiction, computing = lib.title("活着", "I247.57"), lib.title("算法导论", "TP301.6")
    for n, title_id in enumerate([fiction, fiction, computing]):
        lib.copy(title_id, f"B{n}", branch="east" if n == 2 else "main")
    lib.checkout("R1", "B0")
    lib.checkout("R2", "B1")
    lib.checkout("R1", "B2")
    ids["fiction"] = fiction
    return ids


def test_the_readers_report_counts_distinct_active_and_new_readers_by_category(lib: Library) -> None:
    _circulate(lib)
    reply = lib.get("/api/v1/reports/readers?from=2026-03-01&to=2026-03-31&group_by=category",
                    role="librarian")
    body = reply.get_json()
    assert reply.status_code == 200
    rows = {r["group"]: (r["active"], r["loans"], r["loans_per_active"]) for r in body["rows"]}
    assert rows == {"adult": (1, 2, 2.0), "child": (1, 1, 1.0)}
    assert body["position"] > 0 and body["previous_to"] == "2026-02-28"
    assert {d["figure"] for d in body["definitions"]} >= {"active", "new", "returning", "lapsed"}


def test_the_top_report_ranks_titles_and_classes_with_filters_and_pages(lib: Library) -> None:
    ids = _circulate(lib)
    titles = lib.get("/api/v1/reports/top?from=2026-03-01&to=2026-03-31&by=title",
                     role="librarian").get_json()
    assert next((i["key"], i["title"], i["loans"]) for i in titles["items"]) == \
        (ids["fiction"], "活着", 2)
    assert titles["total"] == 2 and titles["page"] == 1
    classes = lib.get("/api/v1/reports/top?from=2026-03-01&to=2026-03-31&by=class&branch=east",
                      role="librarian").get_json()
    assert [(i["key"], i["loans"]) for i in classes["items"]] == [("T", 1)]


def test_the_service_report_shows_the_heatmap_of_a_channel_the_mix_and_branches(lib: Library) -> None:
    _circulate(lib)
    # Commands sent to the JSON API are recorded with the channel "api".
    body = lib.get("/api/v1/reports/service?from=2026-03-01&to=2026-03-31&channel=api",
                   role="librarian").get_json()
    cells = {(c["weekday"], c["hour"]): c["actions"] for c in body["heatmap"] if c["actions"]}
    assert cells == {(0, 10): 3} and len(body["heatmap"]) == 7 * 24
    assert [(c["channel"], c["checkout"], c["total"]) for c in body["channels"]] == [("api", 3, 3)]
    assert {b["branch"]: b["checkout"] for b in body["branches"]} == {"main": 2, "east": 1}
    assert [b["bucket"] for b in body["overdue_aging"]] == ["1-7", "8-30", "31-90", "91+"]


def test_reports_refuse_a_reversed_range_and_desk_staff(lib: Library) -> None:
    bad = lib.get("/api/v1/reports/readers?from=2026-03-31&to=2026-03-01", role="librarian")
    assert bad.status_code == 422 and "from" in bad.get_json()["errors"]
    assert lib.get("/api/v1/reports/top", role="desk").status_code == 403
    unknown = lib.get("/api/v1/reports/top?by=publisher", role="librarian")
    assert unknown.status_code == 422


@pytest.mark.parametrize("kind", ["report_readers", "report_top", "report_service"])
def test_each_report_exports_as_csv_and_xlsx_with_its_definitions(lib: Library, kind: str) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    _circulate(lib)
    query = "from=2026-03-01&to=2026-03-31&lang=en&channel=api"
    reply = lib.get(f"/api/v1/exports/{kind}?{query}", role="librarian")
    assert reply.status_code == 200 and int(reply.headers["Lector-Position"]) > 0
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    figures = [r[0] for r in rows[rows.index(["definitions / 定义", "en", "zh-CN"]) + 1:]]
    assert len(figures) >= 4 and rows[1] and rows[1][0]
    sheet = load_workbook(io.BytesIO(lib.get(f"/api/v1/exports/{kind}?{query}&format=xlsx",
                                             role="librarian").data)).active
    assert sheet is not None and next(c.value for c in sheet[1]) == rows[0][0]
    assert any(row[0].value == "definitions / 定义" for row in sheet.iter_rows())
