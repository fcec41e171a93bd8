"""A whole desk day by keyboard only, in zh-CN and en: scan a card (acknowledge the warnings),
lend three, one refusal, return a late book and one with a hold trap and a transfer (hold
slip printed), renew all, pay the fine, finish with a receipt. axe-core checks the page for
WCAG 2.2 AA; screenshots saved (docs/pages.md shows them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages
from tests.browser.test_portal_walk import axe_violations

pytestmark = pytest.mark.browser
chromium_path, base_url, browser = pages.chromium_path, pages.base_url, pages.browser

WORDS = {
    "zh-CN": {"lent": "已借出", "shelf": "放回书架", "transit": "转运至", "renewed": "全部续借: 2/2",
              "paid": "已收款", "adult": "成人", "yuan": "¥"},
    "en": {"lent": "Lent, due on", "shelf": "Back to the shelf", "transit": "Send in transit to",
           "renewed": "Renew all: 2/2", "paid": "Paid", "adult": "Adult", "yuan": "CN¥"},
}


@pytest.fixture
def library(client: Any, auth: Any, lector: Any) -> dict[str, str]:
    """R1 with a loan 5 days overdue (B0); R2 waits for B3's title (pickup east) and has B9."""
    lib = Library(client, auth)
    now = datetime.now(UTC)
    lector.ports.clock = lambda: now - timedelta(days=35)
    lib.reader("R1")
    lib.reader("R2")
    for barcode, name in (("B0", "围城"), ("B1", "三体"), ("B2", "活着"), ("B3", "红楼梦"),
                          ("B9", "边城")):
        title = lib.title(name)
        lib.copy(title, barcode)
        if barcode == "B3":
            assert lib.hold("R2", title, branch="east").status_code == 201
    assert lib.checkout("R1", "B0").status_code == 201
    lector.ports.clock = lambda: datetime.now(UTC)
    assert lib.checkout("R2", "B9").status_code == 201
    return {}


def keys(page: Any, field: str, text: str) -> None:
    """Type into the focused scan field as a scanner does, then Enter."""
    from playwright.sync_api import expect

    expect(page.locator(field)).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def scanned(page: Any, field: str) -> None:
    """After every scan the field is empty and has the focus again."""
    from playwright.sync_api import expect

    expect(page.locator(field)).to_have_value("")
    expect(page.locator(field)).to_be_focused()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_desk_day_by_keyboard_only(base_url: str, browser: Any, lector: Any, lang: str,
                                     database_url: str) -> None:
    from playwright.sync_api import expect

    w, kind = WORDS[lang], f"{pages.backend_of(database_url)}-{lang}"
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; }")
    page.goto(f"{base_url}/desk")
    page.select_option("#lang", lang)
    page.focus("#username")
    page.keyboard.type("desk1")
    page.keyboard.press("Tab")
    page.keyboard.type("desk-pass-1")
    page.keyboard.press("Enter")
    expect(page.locator("#desk-branch")).to_have_value("main")

    page.keyboard.press("F2")
    keys(page, "#card", "R1")
    expect(page.locator("#reader-name")).to_have_text("读者R1")
    expect(page.locator("#reader")).to_contain_text(w["adult"])  # the category's name, not "adult"
    expect(page.locator("#ack")).to_be_focused()  # warnings first: an overdue loan
    pages.shot(page, "desk-day-1-reader", kind)
    page.keyboard.press("Enter")

    for barcode in ("B1", "B2", "B3"):
        keys(page, "#lend", barcode)
        expect(page.locator("#lend-msg")).to_contain_text(w["lent"])
        expect(page.locator("#lend-msg")).to_contain_text(barcode)
        scanned(page, "#lend")
    keys(page, "#lend", "B9")  # on loan to R2: refused, and the next scan starts clean
    expect(page.locator("#lend-msg .notice.bad")).to_contain_text("copy_not_available")
    expect(page.locator("#lend-msg")).not_to_contain_text(w["lent"])
    scanned(page, "#lend")
    expect(page.locator("#announce")).to_contain_text("copy_not_available")
    pages.shot(page, "desk-day-2-refused", kind)

    page.keyboard.press("F4")
    keys(page, "#return", "B0")  # late: a fine
    expect(page.locator("#return-msg")).to_contain_text(w["shelf"])
    expect(page.locator("#return-msg")).to_contain_text(w["yuan"])
    scanned(page, "#return")
    keys(page, "#return", "B3")  # R2 waits, pickup at east: hold trap and transfer
    expect(page.locator("#return-msg")).to_contain_text(w["transit"])
    expect(page.locator("#return-msg")).to_contain_text("读者R2 (R2)")
    assert page.evaluate("window.__printed") == 1  # the hold slip
    expect(page.locator("#print-slip")).to_contain_text("R2")
    scanned(page, "#return")
    pages.shot(page, "desk-day-3-returned", kind)

    lector.ports.clock = lambda: datetime.now(UTC) + timedelta(days=10)  # renewing today is early
    page.keyboard.press("F7")
    expect(page.locator("#loans-msg")).to_contain_text(w["renewed"])
    page.keyboard.press("F8")
    expect(page.locator("#pay-amount")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#fines-msg")).to_contain_text(w["paid"])
    expect(page.locator("#lend")).to_be_focused()
    assert axe_violations(page) == []
    pages.shot(page, "desk-day-4-paid", kind)

    page.keyboard.press("Escape")  # finish the reader: today's receipt
    expect(page.locator("#print-slip")).to_contain_text("B1")
    expect(page.locator("#print-slip")).to_contain_text("B2")
    assert page.evaluate("window.__printed") == 2
    expect(page.locator("#card")).to_be_focused()
    expect(page.locator("#reader")).not_to_contain_text("读者R1")
    assert axe_violations(page) == []
    pages.shot(page, "desk-day-5-finished", kind)
    assert errors == []
    page.close()
