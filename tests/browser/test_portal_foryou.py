"""The portal's "for you": recommendations, the reading year with its portrait, and "also
borrowed" under a search result, in Chromium (a few seconds), checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from service.application.context import SYSTEM, Actor
from service.application.relationships.recommendations import refresh_recommendations
from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages
from tests.browser.test_portal_walk import axe_violations

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)


def test_a_reader_sees_titles_for_them_their_year_and_what_others_also_borrowed(
        base_url: str, browser: Any, client: Any, auth: Any, library: dict[str, str],
        lector: Any) -> None:
    from playwright.sync_api import expect

    lib = Library(client, auth)
    third = lib.title("围城", "I246.5")
    lib.copy(third, "B300")
    lib.copy(third, "B301")
    lib.copy(library["second"], "B201")
    for card in ("R201", "R202"):
        lib.reader(card)
    for card, barcode in (("R100", "B100"), ("R100", "B300"), ("R201", "B101"),
                          ("R201", "B301"), ("R202", "B200")):
        assert lib.checkout(card, barcode).status_code == 201
    refresh_recommendations(lector.ports, Actor(SYSTEM, "worker"))
    page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    refused = pages.csp_watch(page)
    page.goto(f"{base_url}/portal")
    page.select_option("#lang", "zh-CN")
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=home]")
    pages.go(page, "more")
    page.click("a[data-nav=foryou]")
    page.wait_for_selector("body[data-ready=foryou]")
    expect(page.locator("#foryou-basis")).to_contain_text("大家常借")  # 2 titles: popular
    expect(page.locator("#foryou-list li").first).to_contain_text("活着")
    page.click("#year-form button[type=submit]")
    page.wait_for_selector("#year-out img.year-image")
    page.wait_for_function("document.querySelector('#year-out img').naturalWidth > 0")
    assert page.evaluate("document.querySelector('#year-out img').naturalWidth") == 1080
    expect(page.locator("#year-download")).to_have_attribute("download", "reading-year-"
                                                             + page.input_value("#year-pick")
                                                             + ".png")
    assert axe_violations(page) == []
    pages.go(page, "search")
    page.fill("#q", "围城")
    page.click("#search-form button[type=submit]")
    page.click("#results details.also-borrowed summary")
    expect(page.locator("#results .also-list")).to_contain_text("三体")  # R100 and R201
    assert refused == []
