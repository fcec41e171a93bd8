"""The reports dashboard on the demo library, in Debian's Chromium, in both languages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from service.adapters.app import build_app
from service.bootstrap import bootstrap
from service.config import Config
from tests.browser import test_pages as pages
from tests.conftest import BACKENDS, _factory
from tests.shared_demo import demo_database, run_folder

chromium_path, browser = pages.chromium_path, pages.browser  # the same fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART_CARDS = ("loans", "classes", "segments", "survey", "heatmap", "top", "readers", "overdue",
               "branches", "channels")
# The demo ends with three titles whose every copy is out and 14 readers wait: a buy list.
TABLE_CARDS = ("dead_stock", "buy_list")
KPIS = ("loans_week", "active_readers", "overdue", "holds_waiting", "turnover")


@pytest.fixture(params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A copy of the run's small demo library (a year of loans ending today; built once per
    run and back end, tests/shared_demo.py) served on a free port: (URL, back end)."""
    factory = _factory(request, request.param)
    database_url = factory.new(demo_database(request.param, factory, run_folder(tmp_path_factory)))
    lector = bootstrap(Config(database_url=database_url, secret_key="t", instance_dir=tmp_path))
    server = make_server("127.0.0.1", 0, build_app(lector), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", request.param
    server.shutdown()
    thread.join(timeout=10)
    lector.dispose()
    factory.drop(database_url)


@pytest.fixture
def demo_url(demo: tuple[str, str]) -> str:
    return demo[0]


def open_dashboard(browser: Any, url: str, lang: str, width: int) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    complaints = pages.csp_watch(page)
    page.on("pageerror", lambda e: complaints.append(f"page error: {e}"))
    page.goto(f"{url}/reports")
    page.select_option("#lang", lang)
    page.fill("#username", "librarian")
    page.fill("#password", "lector-librarian")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-loaded=true]", timeout=60_000)
    return page, complaints


def test_every_chart_and_table_of_the_dashboard_shows_demo_data_in_both_languages(
        demo: tuple[str, str], browser: Any) -> None:
    from playwright.sync_api import expect

    demo_url, kind = demo
    for lang, width, heading in (("zh-CN", 1366, "报表"), ("en", 768, "Reports")):
        page, complaints = open_dashboard(browser, demo_url, lang, width)
        expect(page.locator("h1")).to_contain_text(heading)
        for card in (*CHART_CARDS, *TABLE_CARDS):
            rows = page.locator(f"#card-{card}").get_attribute("data-rows")
            assert rows is not None and int(rows) > 0, f"{card} has no data ({lang})"
            assert page.locator(f"#msg-{card} .notice").count() == 0, f"{card} failed ({lang})"
        for card in CHART_CARDS:  # ECharts drew on a canvas of real size
            box = page.locator(f"#chart-{card} canvas").first.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 150, card
        for kpi in KPIS:
            value = page.locator(f'[data-kpi="{kpi}"] b').inner_text()
            assert value != "—", f"KPI {kpi} has no value ({lang})"
        definition = page.locator("#card-classes .definition").inner_text()
        assert ("relative" in definition.lower()) if lang == "en" else ("相对" in definition)
        assert complaints == []
        pages.shot(page, f"reports-{lang}-{width}", kind)
        page.close()


def test_a_chart_opens_its_data_table_and_exports_the_same_report(
        demo_url: str, browser: Any) -> None:
    page, _ = open_dashboard(browser, demo_url, "en", 1366)
    page.click('[data-toggle="classes"]')
    table = page.locator("#table-classes table")
    assert table.is_visible() and not page.locator("#chart-classes").is_visible()
    assert table.locator("th").first.inner_text() == "Class"
    assert table.locator("tbody tr").count() > 5
    with page.expect_download() as download:
        page.click('[data-export="classes:csv"]')
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "holdings" in text.lower() and text.count("\n") > 5
    page.close()


def test_filters_apply_to_the_charts(demo_url: str, browser: Any) -> None:
    page, _ = open_dashboard(browser, demo_url, "en", 1366)

    def active_readers() -> int:
        return int(page.locator('[data-kpi="active_readers"] b').inner_text().replace(",", ""))

    everyone = active_readers()
    branch = page.locator("#f-branch option").nth(1).get_attribute("value")
    page.select_option("#f-branch", branch)
    page.evaluate("document.body.dataset.loaded = 'false'")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-loaded=true]", timeout=60_000)
    assert 0 < active_readers() < everyone  # the readers of one branch, not the library's
    page.close()
