"""Drive the desk and portal pages in Debian's Chromium against the real app on a socket."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.api.circulation_helpers import Library

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("LECTOR_SCREENSHOTS", "/tmp/lector-screenshots"))

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture
def library(client: Any, auth: Callable[[str], dict[str, str]]) -> dict[str, str]:
    """A reader with a PIN, two titles, three copies (staff desk1/librarian1 come from `auth`)."""
    lib = Library(client, auth)
    lib.reader("R100")
    first = lib.title("三体", "I247.55")
    second = lib.title("活着", "I247.57")
    lib.copy(first, "B100")
    lib.copy(first, "B101")
    lib.copy(second, "B200")
    return {"first": first, "second": second}


@pytest.fixture
def base_url(app: Any, library: dict[str, str]) -> Iterator[str]:
    """The app served over HTTP on a free port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield launched
        launched.close()


def shot(page: Any, name: str, backend: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{backend}-{name}.png"), full_page=True)


def backend_of(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgres") else "sqlite"


def csp_watch(page: Any) -> list[str]:
    """Collect the browser's Content-Security-Policy complaints (inline script or style)."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    return refused


def go(page: Any, view: str) -> None:
    """Open a portal view as a reader does: its bottom-bar icon, else "more" and its tile."""
    nav = page.locator(f".bottom-nav a[data-nav={view}]")
    if nav.count():
        nav.click()
    else:
        page.click(".bottom-nav a[data-nav=more]")
        page.wait_for_selector("body[data-ready=more]")
        page.click(f"#more-grid a[href='#{view}']")
    page.wait_for_selector(f"body[data-ready={view}]")


def days_later(lector: Any, days: int) -> None:
    """Move the library's clock on: a renewal on the day of lending would be too early."""
    lector.ports.clock = lambda: datetime.now(UTC) + timedelta(days=days)


def test_the_desk_lends_lists_renews_and_returns_a_copy(base_url: str, browser: Any,
                                                        database_url: str, lector: Any) -> None:
    from playwright.sync_api import expect

    kind = backend_of(database_url)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    refused = csp_watch(page)
    page.goto(f"{base_url}/desk")
    expect(page.locator("h1")).to_contain_text("前台借还")
    shot(page, "desk-1-signin", kind)
    page.fill("#username", "desk1")
    page.fill("#password", "desk-pass-1")
    page.click("#signin-form button[type=submit]")

    page.fill("#card", "R100")
    page.press("#card", "Enter")
    expect(page.locator("#reader-name")).to_have_text("读者R100")
    expect(page.locator("#reader")).to_contain_text("可以借阅")

    page.fill("#lend", "B100")
    page.press("#lend", "Enter")
    expect(page.locator("#lend-msg")).to_contain_text("已借出")
    expect(page.locator("#loans")).to_contain_text("三体")
    expect(page.locator("#loans")).to_contain_text("B100")

    page.fill("#lend", "NOPE-1")
    page.press("#lend", "Enter")
    expect(page.locator("#lend-msg .notice.bad")).to_be_visible()
    shot(page, "desk-2-lent", kind)

    days_later(lector, 10)
    page.click("#loans button[data-barcode=B100]")
    expect(page.locator("#loans")).to_contain_text("已续借")

    page.select_option("#lang", "en")
    expect(page.locator("#loans th").first).to_have_text("Title")
    expect(page.locator("#loans")).to_contain_text("Renewed, now due on")

    page.fill("#return", "B100")
    page.press("#return", "Enter")
    expect(page.locator("#return-msg")).to_contain_text(re.compile("back to the shelf", re.I))
    expect(page.locator("#loans")).to_contain_text("No loans.")
    shot(page, "desk-3-returned-en", kind)
    page.select_option("#lang", "zh-CN")
    expect(page.locator("#return-msg")).to_contain_text("放回书架")
    assert refused == []  # the pages work under the CSP: nothing inline was blocked
    page.close()


def test_the_portal_on_a_phone_shows_renews_reserves_and_takes_feedback(
        base_url: str, browser: Any, client: Any, auth: Any, library: dict[str, str],
        database_url: str, lector: Any) -> None:
    from playwright.sync_api import expect

    kind = backend_of(database_url)
    lent = Library(client, auth).checkout("R100", "B100")
    assert lent.status_code == 201, lent.get_json()
    days_later(lector, 10)
    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True,
                            has_touch=True)
    refused = csp_watch(page)
    page.goto(f"{base_url}/portal")
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    shot(page, "portal-1-signin", kind)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=home]")

    go(page, "loans")
    expect(page.locator("#loans")).to_contain_text("三体")
    page.click("#loans button[data-barcode=B100]")
    expect(page.locator("#msg")).to_contain_text("已续借")
    shot(page, "portal-2-loans", kind)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    go(page, "search")
    page.fill("#q", "活着")
    page.press("#q", "Enter")
    expect(page.locator("#results")).to_contain_text("活着")
    page.select_option("#pickup", "east")
    page.click(f"#results button[data-title='{library['second']}']")
    expect(page.locator("#msg")).to_contain_text("预约成功")
    go(page, "holds")
    expect(page.locator("#holds")).to_contain_text("活着")
    expect(page.locator("#holds")).to_contain_text("排队第 1 位")
    shot(page, "portal-3-holds", kind)

    go(page, "feedback")
    page.select_option("#fb-category", "facility")
    page.fill("#fb-text", "阅览室的灯太暗了。")
    page.click("#fb-rating span:text('4★')")
    page.click("#feedback-form button[type=submit]")
    expect(page.locator("#msg")).to_contain_text("感谢您的反馈")
    expect(page.locator("#feedback")).to_contain_text("阅览室的灯太暗了。")
    expect(page.locator("#feedback")).to_contain_text("待回复")
    page.select_option("#lang", "en")
    expect(page.locator("#feedback")).to_contain_text("Facilities")
    shot(page, "portal-4-feedback-en", kind)

    go(page, "history")
    expect(page.locator("#history")).to_contain_text("三体")
    shot(page, "portal-5-history-en", kind)
    assert refused == []  # the pages work under the CSP: nothing inline was blocked
    page.close()


def test_the_mailbox_page_shows_staff_the_notices_delivered_without_smtp(
        base_url: str, browser: Any, database_url: str, lector: Any) -> None:
    from playwright.sync_api import expect

    from tests.integration.test_notices_mailbox import _trap_for_emily
    from workers.notices.queueing import enqueuer
    from workers.notices.scanning import dispatch_pending

    _trap_for_emily(lector)
    assert dispatch_pending(lector, enqueuer(lector, None)) == 1
    kind = backend_of(database_url)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(f"{base_url}/mailbox")
    expect(page.locator("h1")).to_contain_text("本地信箱")
    page.fill("#username", "librarian1")
    page.fill("#password", "librarian-pass-1")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#count")).to_have_text("共 1 封")
    expect(page.locator("#messages article h3")).to_contain_text(re.compile("ready", re.I))
    expect(page.locator("#messages")).to_contain_text("Emily Carter")
    expect(page.locator("#messages .muted")).to_contain_text("(A2)")
    shot(page, "mailbox-1-zh", kind)
    page.select_option("#lang", "en")
    expect(page.locator("h1")).to_contain_text("Local mailbox")
    expect(page.locator("#count")).to_have_text("1 message(s)")
    shot(page, "mailbox-2-en", kind)
    page.close()
