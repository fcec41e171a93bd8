"""Drive the administration pages in Debian's Chromium, in both languages: each edit, then
its effect on the next checkout (policy and calendar move the due date, a new branch and a new
staff account may lend), with screenshots."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from service.application.settings import library_today
from tests.api.circulation_helpers import Library

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("LECTOR_SCREENSHOTS", "/tmp/lector-screenshots"))
WORDS = {  # what each page says in each language (from the catalogue)
    "zh-CN": {"policy": "借阅规则", "saved": "已保存。", "applies": "适用第"},
    "en": {"policy": "Circulation policy", "saved": "Saved.", "applies": "applies"},
}

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture
def library(client: Any, auth: Callable[[str], dict[str, str]]) -> Library:
    lib = Library(client, auth)
    lib.reader("R1")
    title = lib.title("围城")
    for n in range(1, 6):
        lib.copy(title, f"B{n}")
    lib.title_id = title  # type: ignore[attr-defined]
    return lib


@pytest.fixture
def base_url(app: Any, library: Library) -> Iterator[str]:
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


def shot(page: Any, name: str, lang: str, database_url: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    backend = "postgres" if database_url.startswith("postgres") else "sqlite"
    page.screenshot(path=str(SHOTS / f"{backend}-admin-{lang}-{name}.png"), full_page=True)


def due_of(library: Library, barcode: str, branch: str = "main") -> date:
    reply = library.post("/api/v1/checkouts", {"card_number": "R1", "barcode": barcode,
                                               "branch": branch})
    assert reply.status_code == 201, reply.get_json()
    return date.fromisoformat(reply.get_json()["due_on"])


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_each_admin_edit_shows_in_the_next_checkout(
    base_url: str, browser: Any, library: Library, lector: Any, database_url: str, lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    today = library_today(lector.ports.clock(), lector.config.timezone)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base_url}/admin/policy?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.fill("#username", "admin1")
    page.fill("#password", "admin-pass-1")
    page.press("#password", "Enter")
    expect(page.locator("#rules tr").first).to_be_visible()
    expect(page.locator("#work h2").first).to_have_text(words["policy"])

    # Policy: find the rule for adult x book at main by keyboard, lengthen its loan period.
    page.select_option("#r-category", "adult")
    page.select_option("#r-item-type", "book")
    page.select_option("#r-branch", "main")
    page.focus("#resolve-form button")
    page.keyboard.press("Enter")
    expect(page.locator("#resolved")).to_contain_text(words["applies"])
    row = page.locator("#rules tr.applies")
    row.locator("input[data-field=loan_days]").fill("45")
    page.focus("#policy-save")
    page.keyboard.press("Enter")
    expect(page.locator("#page-msg")).to_contain_text(words["saved"])
    expect(page.locator("#history li")).to_have_count(1)
    shot(page, "1-policy", lang, database_url)
    assert due_of(library, "B1") == today + timedelta(days=45)

    # Calendar: close the day the next loan would fall due; the due date moves to the next day.
    closed = today + timedelta(days=45)
    page.goto(f"{base_url}/admin/calendars?lang={lang}")
    expect(page.locator("#cal-branch option[value=main]")).to_have_count(1)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/calendars/main")):
        page.select_option("#cal-branch", "main")
    expect(page.locator("#month-days button").first).to_be_visible()
    page.fill("#cal-month", closed.strftime("%Y-%m"))
    page.dispatch_event("#cal-month", "change")
    day = page.locator(f"button[data-date='{closed.isoformat()}']")
    day.focus()
    page.keyboard.press("Enter")
    expect(day).to_have_attribute("aria-pressed", "true")
    page.click("#calendar-save")
    expect(page.locator("#page-msg")).to_contain_text(words["saved"])
    shot(page, "2-calendar", lang, database_url)
    assert due_of(library, "B2") == closed + timedelta(days=1)

    # Managed lists: a new branch; lending there was refused before and works after.
    assert library.post("/api/v1/checkouts", {"card_number": "R1", "barcode": "B3",
                                              "branch": "north"}).status_code == 422
    page.goto(f"{base_url}/admin/lists?lang={lang}")
    page.select_option("#entry-kind", "branch")
    page.fill("#entry-code", "north")
    page.fill("#entry-zh", "北区分馆")
    page.fill("#entry-en", "North branch")
    page.press("#entry-en", "Enter")
    expect(page.locator("#list-branch")).to_contain_text("North branch")
    expect(page.locator("#list-branch")).to_contain_text("北区分馆")
    shot(page, "3-lists", lang, database_url)
    due_of(library, "B3", branch="north")

    # Staff: a new desk account signs in and lends.
    page.goto(f"{base_url}/admin/staff?lang={lang}")
    page.fill("#s-username", f"clerk-{lang}")
    page.fill("#s-password", "clerk-pass-123")
    page.select_option("#s-role", "desk")
    page.press("#s-password", "Enter")
    expect(page.locator("#staff-rows")).to_contain_text(f"clerk-{lang}")
    shot(page, "4-staff", lang, database_url)
    token = library.client.post("/api/v1/auth/token", json={
        "username": f"clerk-{lang}", "password": "clerk-pass-123"}).get_json()["token"]
    lent = library.client.post("/api/v1/checkouts", json={"card_number": "R1", "barcode": "B4"},
                               headers={"Authorization": f"Bearer {token}"})
    assert lent.status_code == 201, lent.get_json()

    # Kiosks at the new branch.
    page.goto(f"{base_url}/admin/kiosks?lang={lang}")
    page.fill("#k-id", f"kiosk-{lang}")
    page.fill("#k-user", f"sc-{lang}")
    page.fill("#k-password", "kiosk-pass-1234")
    page.select_option("#k-location", "north")
    page.press("#k-password", "Enter")
    expect(page.locator("#kiosk-rows")).to_contain_text(f"kiosk-{lang}")
    shot(page, "5-kiosks", lang, database_url)

    # Notice templates: the live preview follows the draft in both languages.
    page.goto(f"{base_url}/admin/notices?lang={lang}")
    page.select_option("#n-kind", "due_soon")
    expect(page.locator("body[data-loaded-kind=due_soon]")).to_have_count(1)
    expect(page.locator("#preview-zh-CN .subject")).not_to_be_empty()
    page.fill("#subject-zh-CN", "【测试】请还书")
    page.fill("#subject-en", "[Test] Please return")
    expect(page.locator("#preview-zh-CN .subject")).to_have_text("【测试】请还书")
    expect(page.locator("#preview-en .subject")).to_have_text("[Test] Please return")
    shot(page, "6-notices", lang, database_url)

    page.goto(f"{base_url}/admin?lang={lang}")
    expect(page.locator("a[href='/mailbox']").first).to_be_visible()
    shot(page, "0-index", lang, database_url)
    assert errors == []


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_admin_page_passes_axe_in_the_staff_shell(
    base_url: str, browser: Any, lang: str,
) -> None:
    from playwright.sync_api import expect

    from tests.browser.test_portal_walk import axe_violations

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{base_url}/admin?lang={lang}")
    page.fill("#username", "admin1")
    page.fill("#password", "admin-pass-1")
    page.press("#password", "Enter")
    expect(page.locator("#work")).to_be_visible()
    found = {}
    for section in ("", "/lists", "/policy", "/calendars", "/staff", "/kiosks", "/notices"):
        page.goto(f"{base_url}/admin{section}?lang={lang}")
        expect(page.locator("#work")).to_be_visible()
        expect(page.locator(".staff-nav a[data-nav=desk]")).to_be_visible()  # the one shell
        page.wait_for_load_state("networkidle")
        found[section or "/"] = axe_violations(page)
    assert found == {s or "/": [] for s in ("", "/lists", "/policy", "/calendars", "/staff",
                                            "/kiosks", "/notices")}
    page.close()
