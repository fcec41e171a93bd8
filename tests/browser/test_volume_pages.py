"""The desk and the portal show a copy's volume, and a reader can reserve one volume."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)  # the same fixtures


def test_volumes_show_at_the_desk_and_a_reader_reserves_one_volume_in_the_portal(
        base_url: str, browser: Any, client: Any, auth: Any, database_url: str) -> None:
    from playwright.sync_api import expect

    kind = pages.backend_of(database_url)
    lib = Library(client, auth)
    title_id = lib.title("资治通鉴", "K204.3")
    for n in (1, 2, 3):
        lib.copy(title_id, f"ZZ{n}", enumeration=f"v.{n}")
    assert lib.checkout("R100", "ZZ3").status_code == 201
    lib.reader("R200")  # v.2 is out, so R100 has to wait for it
    assert lib.checkout("R200", "ZZ2").status_code == 201

    desk = browser.new_page(viewport={"width": 1280, "height": 860})
    desk.goto(f"{base_url}/desk")
    desk.fill("#username", "desk1")
    desk.fill("#password", "desk-pass-1")
    desk.click("#signin-form button[type=submit]")
    desk.fill("#card", "R100")
    desk.press("#card", "Enter")
    expect(desk.locator("#loans")).to_contain_text("资治通鉴 v.3")
    pages.shot(desk, "desk-volume", kind)
    desk.close()

    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    page.goto(f"{base_url}/portal")
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    page.click("#signin-form button[type=submit]")
    pages.go(page, "loans")
    expect(page.locator("#loans")).to_contain_text("资治通鉴 v.3")
    pages.go(page, "search")
    page.fill("#q", "zztj")
    page.press("#q", "Enter")
    expect(page.locator("#results")).to_contain_text("资治通鉴")
    page.select_option(f"#results select[data-volumes='{title_id}']", "v.2")
    page.click(f"#results button[data-title='{title_id}']")
    expect(page.locator("#msg")).to_contain_text("预约成功")
    pages.go(page, "holds")
    expect(page.locator("#holds")).to_contain_text("资治通鉴 v.2")
    expect(page.locator("#holds")).to_contain_text("排队第 1 位")
    pages.shot(page, "portal-volume-hold", kind)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.close()
    holds = lib.client.get(f"/api/v1/holds?title_id={title_id}", headers=auth("desk")).get_json()
    assert [(h["enumeration"], h["status"]) for h in holds] == [("v.2", "waiting")]
