"""The campaigns page on a small demo library, in Debian's Chromium, in both languages:
the demo's past campaign shows its report with intervals; a new one is previewed, saved and
launched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from service.adapters.app import build_app
from service.bootstrap import bootstrap
from service.config import Config
from service.data.demo.executor import build_demo
from tests.browser import test_pages as pages

chromium_path, browser = pages.chromium_path, pages.browser  # the same fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_url(sqlite_factory: Any, tmp_path: Path) -> Iterator[str]:
    config = Config(database_url=sqlite_factory.new(), secret_key="t", instance_dir=tmp_path)
    build_demo(config, seed=7, start=date.today() - timedelta(days=364), target_loans=300)
    lector = bootstrap(config)
    server = make_server("127.0.0.1", 0, build_app(lector), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    lector.dispose()


def test_the_campaigns_page_reports_the_demo_campaign_and_launches_a_new_one(
        demo_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    for lang, heading, report_word in (("zh-CN", "推广计划", "效果报告"), ("en", "Campaigns",
                                                                          "Report")):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        complaints = pages.csp_watch(page)
        page.on("pageerror", lambda e, seen=complaints: seen.append(f"page error: {e}"))
        page.on("dialog", lambda d: d.accept())
        page.goto(f"{demo_url}/campaigns")
        page.select_option("#lang", lang)
        page.fill("#username", "librarian")
        page.fill("#password", "lector-librarian")
        page.click("#signin-form button[type=submit]")
        page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
        expect(page.locator("h1")).to_contain_text(heading)
        page.click(f"button[data-report]:has-text('{report_word}')")
        page.wait_for_selector("body[data-report=true]")
        cells = page.locator('table[data-window="60"] tbody td').all_inner_texts()
        assert len(cells) == 9 and "…" in cells[2], cells  # difference (low … high)
        if lang == "en":
            page.fill("#c-name", "Come back")
            page.select_option("#c-template", "campaign_we_miss_you")
            page.select_option("#a-category", "adult")
            page.click("#preview")
            expect(page.locator("#preview-count")).to_contain_text("Readers matching now")
            page.click("#create button[type=submit]")
            page.wait_for_selector("button[data-launch]")
            page.click("button[data-launch]")
            expect(page.locator("button[data-launch]")).to_have_count(0)
            expect(page.locator("#list tbody tr")).to_have_count(2)
        assert complaints == []
        page.close()
