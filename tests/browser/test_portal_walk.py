"""The reader portal walked in Chromium at phone and desktop sizes, in both languages.

Sign in, show the e-card (and lend at the desk on its code), scan to borrow by the manual field
and by a fake camera, renew all with one refusal, cancel a hold, see fines, switch history off
and see it gone, read a notice; axe-core checks every view for WCAG 2.2 AA; screenshots saved.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from projections.notice_mailbox import mailbox, mailbox_row
from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages
from tests.browser.fake_camera import barcode_y4m

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)  # the same fixtures

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWS = ("home", "ecard", "loans", "holds", "search", "scan", "fines", "history", "feedback",
         "notices", "settings", "more")
SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 900}}
WORDS = {  # what the page says, per language
    "zh-CN": {"borrowed": "借书成功", "renewed": "续借成功 1 册",
              "cancelled": "预约已取消", "history_off": "您已关闭借阅历史"},
    "en": {"borrowed": "Borrowed", "renewed": "1 renewed",
           "cancelled": "Hold cancelled", "history_off": "reading history off"},
}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol: the page's CSP (no inline script) rightly refuses a tag.
        page.evaluate(AXE.read_text() + "\n;window.axe = axe; true")
    found = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations
        .map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))""")
    return list(found)


def a_library_for_the_walk(lib: Library, lector: Any, second: str) -> None:
    """R100 borrows B100 (renewable) and B200 (held by R200: refused), holds a third title,
    owes a lost-book charge, and has one notice; main lends by phone."""
    lib.reader("R200")
    third = lib.title("围城", "I246.5")
    lib.copy(third, "B300", price_fen=800)  # under the 10-yuan block threshold
    fourth = lib.title("平凡的世界", "I247.57")
    lib.copy(fourth, "B400")
    assert lib.checkout("R100", "B100").status_code == 201
    assert lib.checkout("R100", "B200").status_code == 201
    assert lib.hold("R200", second).status_code == 201
    assert lib.checkout("R200", "B400").status_code == 201
    assert lib.hold("R100", fourth).status_code == 201
    assert lib.checkout("R100", "B300").status_code == 201
    assert lib.post("/api/v1/loans/lost", {"barcode": "B300"}).status_code == 200
    assert lib.client.put("/api/v1/self-service/main", json={"portal_checkout": True},
                          headers=lib.auth("admin")).status_code == 200
    reader_id = lib.get("/api/v1/readers?q=R100").get_json()["items"][0]["reader_id"]
    with lector.engine.begin() as conn:
        conn.execute(mailbox.insert(), mailbox_row(
            "n-walk", "walk:1", reader_id, "hold_ready", "zh-CN", "您预约的图书已到馆",
            "《围城》已为您保留，请于三日内到总馆取书。", "<p>…</p>", datetime.now(UTC)))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ("zh-CN", "en"))
def test_a_reader_walks_the_portal_and_every_view_passes_axe(
        base_url: str, browser: Any, client: Any, auth: Any, library: dict[str, str],
        database_url: str, lector: Any, size: str, language: str) -> None:
    from playwright.sync_api import expect

    lib = Library(client, auth)
    lib.copy(library["first"], "B102")
    a_library_for_the_walk(lib, lector, library["second"])
    pages.days_later(lector, 10)
    words = WORDS[language]
    name = f"{pages.backend_of(database_url)}-{size}-{language}"
    page = browser.new_page(viewport=SIZES[size], is_mobile=size == "phone",
                            has_touch=size == "phone")
    refused = pages.csp_watch(page)
    page.goto(f"{base_url}/portal")
    page.select_option("#lang", language)
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=home]")
    problems: dict[str, list[dict[str, Any]]] = {}

    def visit(view: str) -> None:
        pages.go(page, view)
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], view
        pages.shot(page, f"portal-walk-{view}", name)
        found = axe_violations(page)
        if found:
            problems[view] = found

    visit("ecard")
    expect(page.locator("#ecard-number")).to_have_text("R100")
    assert page.evaluate("document.getElementById('ecard-qr').naturalWidth") > 0
    assert page.evaluate("document.getElementById('ecard-barcode').naturalWidth") > 0
    code = page.get_attribute("#ecard-number", "data-code")
    lent = lib.checkout(code, "B102")  # the desk scanner reads the code off the screen
    assert lent.status_code == 201, lent.get_json()

    visit("scan")
    page.fill("#scan-barcode", "B101")
    page.click("#scan-form button[type=submit]")
    expect(page.locator("#msg")).to_contain_text(words["borrowed"])

    visit("loans")
    page.click("#renew-all")
    expect(page.locator("#msg")).to_contain_text(words["renewed"])
    # B100 renews; B200 is refused (another reader waits for it), with the reason shown;
    # B101 and B102, lent minutes ago, are too early to renew.
    expect(page.locator("[data-refusal=B200] .badge.bad")).to_be_visible()
    expect(page.locator("[data-refusal=B100] .badge.bad")).to_have_count(0)
    pages.shot(page, "portal-walk-renew-all", name)

    visit("holds")
    page.click("#holds button[data-hold]")
    expect(page.locator("#msg")).to_contain_text(words["cancelled"])

    visit("fines")
    expect(page.locator("#fines-balance")).to_contain_text("8.00")
    expect(page.locator("#fines")).to_contain_text("B300")

    visit("history")
    expect(page.locator("#history")).to_contain_text("三体")
    page.uncheck("#keep-history")
    expect(page.locator("#history")).to_contain_text(words["history_off"])
    expect(page.locator("#history")).not_to_contain_text("三体")
    page.reload()  # gone for good, not just hidden: the read model dropped the rows
    page.wait_for_selector("body[data-ready=history]")
    expect(page.locator("#history")).not_to_contain_text("三体")
    pages.shot(page, "portal-walk-history-off", name)

    visit("notices")
    page.click("#notices summary")
    expect(page.locator("#notices .notice-text")).to_be_visible()
    expect(page.locator("#notices")).to_contain_text("请于三日内到总馆取书")
    pages.shot(page, "portal-walk-notice-read", name)

    visit("search")
    page.fill("#q", "三体")
    page.press("#q", "Enter")
    expect(page.locator("#results .branches")).to_contain_text(
        "总馆：可借" if language == "zh-CN" else "Main library:")
    pages.shot(page, "portal-walk-search-results", name)
    for view in ("home", "feedback", "settings"):
        visit(view)
    page.check("#kinds input[value=due_soon]")
    page.fill("#quiet-start", "22:00")
    page.fill("#quiet-end", "07:00")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#msg .notice.ok")).to_be_visible()
    reader_id = page.evaluate("JSON.parse(sessionStorage.getItem('lector.portal')).reader_id")
    prefs = lib.get(f"/api/v1/readers/{reader_id}/notice-settings").get_json()
    assert prefs == {"muted_kinds": ["due_soon"], "quiet_start": "22:00", "quiet_end": "07:00"}
    visit("more")
    page.click("#elder")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    pages.shot(page, "portal-walk-elder", name)
    elder = axe_violations(page)
    if elder:
        problems["more (elder mode)"] = elder
    assert json.dumps(problems, ensure_ascii=False) == "{}"
    assert refused == []
    page.close()


def test_scan_to_borrow_reads_a_book_barcode_from_the_phone_camera(
        base_url: str, chromium_path: str, client: Any, auth: Any, library: dict[str, str],
        tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    lib = Library(client, auth)
    assert lib.client.put("/api/v1/self-service/main", json={"portal_checkout": True},
                          headers=lib.auth("admin")).status_code == 200
    video = barcode_y4m("B101", tmp_path / "b101.y4m")
    args = [*pages.LAUNCH_ARGS, "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as p:
        camera_browser = p.chromium.launch(executable_path=chromium_path, args=args)
        context = camera_browser.new_context(viewport=SIZES["phone"], is_mobile=True)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.goto(f"{base_url}/portal")
        page.fill("#card", "R100")
        page.fill("#pin", "1234")
        page.click("#signin-form button[type=submit]")
        page.wait_for_selector("body[data-ready=home]")
        pages.go(page, "scan")
        page.click("#scan-camera")
        expect(page.locator("#msg")).to_contain_text("借书成功", timeout=20_000)
        pages.shot(page, "portal-walk-camera-scan", "sqlite")
        camera_browser.close()
    loans = lib.get("/api/v1/loans?barcode=B101").get_json()
    assert [loan["barcode"] for loan in loans] == ["B101"]
