"""A reader on a phone (375x812) signs up for an activity, cancels, signs up again and answers
a survey in the portal; a second answer is refused; axe-core finds no WCAG AA violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.circulation_helpers import Library
from tests.browser import test_pages as pages
from tests.browser.test_portal_walk import axe_violations

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)  # the same fixtures


def test_a_reader_signs_up_and_answers_a_survey_on_a_phone(
        base_url: str, browser: Any, client: Any, auth: Any, library: dict[str, str],
        database_url: str) -> None:
    from playwright.sync_api import expect

    lib = Library(client, auth)
    starts = datetime.now(UTC) + timedelta(days=5)
    lib.post("/api/v1/activities", {
        "kind": "storytime", "title_zh": "亲子故事会", "title_en": "Family storytime",
        "branch": "main", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(), "capacity": 1}, role="librarian")
    survey = lib.post("/api/v1/surveys", {"title_zh": "满意度调查", "title_en": "Satisfaction", "questions": [
        {"id": "q1", "type": "single", "text_zh": "常去哪个馆？", "text_en": "Which branch?",
         "options": [{"zh": "总馆", "en": "Main"}, {"zh": "东区", "en": "East"}]},
        {"id": "q2", "type": "nps", "text_zh": "您会推荐本馆吗？", "text_en": "Would you recommend us?"},
        {"id": "q3", "type": "text", "text_zh": "建议", "text_en": "Suggestions"}]},
        role="librarian").get_json()["survey_id"]
    lib.post(f"/api/v1/surveys/{survey}/publish", role="librarian")
    page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    refused = pages.csp_watch(page)
    page.goto(f"{base_url}/portal")
    page.fill("#card", "R100")
    page.fill("#pin", "1234")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=home]")

    pages.go(page, "activities")
    page.wait_for_selector("body[data-ready=activities]")
    page.click("[data-sign-up]")
    expect(page.locator("#msg")).to_contain_text("已为您保留座位")
    expect(page.locator("#my-activities")).to_contain_text("亲子故事会")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    problems = {"activities": axe_violations(page)}
    pages.shot(page, "portal-activities", pages.backend_of(database_url))

    pages.go(page, "surveys")
    page.wait_for_selector("body[data-ready=surveys]")
    page.click(f"[data-survey='{survey}']")
    page.check("[data-question=q1] input[value='1']")
    page.check("[data-question=q2] input[value='9']")
    page.fill("#q-q3", "周末多开放")
    problems["survey"] = axe_violations(page)
    page.click("#survey-form button[type=submit]")
    expect(page.locator("#msg")).to_contain_text("感谢您的回答")
    expect(page.locator("#surveys")).to_contain_text("已回答")
    results = lib.get(f"/api/v1/surveys/{survey}/results", role="librarian").get_json()
    assert results["responses"] == 1
    assert {q["id"]: q for q in results["questions"]}["q2"]["nps"] == 100
    assert {k: v for k, v in problems.items() if v} == {}
    assert refused == []
    page.close()
