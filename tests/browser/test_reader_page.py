"""The staff Reader 360 page in Debian's Chromium: contact, loans, segment and lapse risk."""

from __future__ import annotations

from typing import Any

import pytest

from service.application.relationships.segments import refresh_segments
from service.application.settings import library_today
from tests.api.circulation_helpers import Library
from tests.browser.test_pages import (  # noqa: F401 - fixtures used by name
    backend_of,
    base_url,
    browser,
    chromium_path,
    csp_watch,
    library,
    shot,
)
from tests.integration.relationships_library import ADMIN

pytestmark = pytest.mark.browser


def test_the_reader_page_shows_staff_the_reader_their_segment_and_lapse_risk(
        base_url: str, browser: Any, database_url: str, lector: Any, client: Any,  # noqa: F811
        auth: Any) -> None:
    from playwright.sync_api import expect

    desk = Library(client, auth)
    assert desk.checkout("R100", "B100").status_code == 201
    reader_id = desk.get("/api/v1/readers?card_number=R100").get_json()["items"][0]["reader_id"]
    refresh_segments(lector.ports, ADMIN, library_today(lector.ports.clock(), lector.ports.timezone))
    kind = backend_of(database_url)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    refused = csp_watch(page)
    page.goto(f"{base_url}/readers/{reader_id}")
    expect(page.locator("h1")).to_contain_text("读者概览")
    page.fill("#username", "librarian1")
    page.fill("#password", "librarian-pass-1")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#contact h2")).to_contain_text("R100")
    expect(page.locator("#now")).to_contain_text("B100")
    expect(page.locator("#segment")).to_contain_text("新读者")
    expect(page.locator("#risk")).to_contain_text("%")
    expect(page.locator("#risk")).to_contain_text("按最近借阅规则")
    shot(page, "reader360-1-zh", kind)
    page.select_option("#lang", "en")
    expect(page.locator("h1")).to_contain_text("Reader 360")
    expect(page.locator("#segment")).to_contain_text("New")
    expect(page.locator("#risk")).to_contain_text("recency rule")
    shot(page, "reader360-2-en", kind)
    assert refused == []
    page.close()
