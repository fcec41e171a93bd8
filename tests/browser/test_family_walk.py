"""Families and classes in Chromium at 375 x 812: a parent links a child's card with the
child's PIN and renews for the child (zh-CN); a teacher signs in to /classes and sees the
class's progress (en); axe-core finds no WCAG 2.2 AA violations on either page."""

from __future__ import annotations

from typing import Any

import pytest

from service.application.accounts import create_staff
from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages
from tests.browser.test_portal_walk import axe_violations

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)  # the same fixtures
PHONE = {"width": 375, "height": 812}


def test_a_parent_links_a_child_and_renews_for_them_and_a_teacher_sees_the_progress(
        base_url: str, browser: Any, client: Any, auth: Any, library: dict[str, str],
        database_url: str, lector: Any) -> None:
    from playwright.sync_api import expect

    lib = Library(client, auth)
    lib.reader("K1", pin="8642")
    create_staff(lector.engine, "teacher1", "teacher-pass-1", "teacher")
    teacher = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "teacher1", "password": "teacher-pass-1"}).get_json()["token"]}
    assert client.post("/api/v1/classes", headers=teacher, json={
        "class_id": "3-2", "name": "三年级二班", "school": "实验小学"}).status_code == 201
    assert client.put("/api/v1/classes/3-2/pupils", headers=teacher,
                      json={"card_numbers": ["K1", "R100"]}).status_code == 200
    assert client.put("/api/v1/classes/3-2/reading-list", headers=teacher, json={
        "name": "暑假书单", "title_ids": [library["first"], library["second"]]}).status_code == 200
    assert lib.checkout("K1", "B100").status_code == 201  # counts: the title is on the list
    pages.days_later(lector, 10)
    backend = pages.backend_of(database_url)

    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    refused = pages.csp_watch(page)
    page.goto(f"{base_url}/portal")
    page.select_option("#lang", "zh-CN")
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=home]")
    pages.go(page, "family")
    page.fill("#child-card", "K1")
    page.fill("#child-pin", "8642")
    page.click("#link-child button[type=submit]")
    expect(page.locator("#msg")).to_contain_text("已关联")
    expect(page.locator("[data-child=K1]")).to_contain_text("三体")
    page.click("[data-child-renew=B100]")
    expect(page.locator("#msg")).to_contain_text("续借")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pages.shot(page, "family-guardian", backend)
    assert axe_violations(page) == []

    page.goto(f"{base_url}/classes")
    page.select_option("#lang", "en")
    page.fill("#username", "teacher1")
    page.fill("#password", "teacher-pass-1")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=progress]")
    expect(page.locator("[data-pupil=K1] td[data-status=borrowed]")).to_have_text("Borrowed")
    expect(page.locator("#class-about")).to_contain_text("2 pupils")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pages.shot(page, "classes-teacher", backend)
    assert axe_violations(page) == []
    assert refused == []
    renewed = [e for e in lector.store.read_all() if e.event.type_name == "loan.renewed"]
    assert renewed[-1].meta["on_behalf_of"] == lib.get("/api/v1/readers?q=K1").get_json()[
        "items"][0]["reader_id"]
