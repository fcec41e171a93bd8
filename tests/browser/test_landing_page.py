"""The first page in Chromium: both languages, a phone and a desk screen, no axe violations."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser import test_pages as pages
from tests.browser.test_portal_walk import SIZES, axe_violations

pytestmark = pytest.mark.browser
chromium_path, library, base_url, browser = (
    pages.chromium_path, pages.library, pages.base_url, pages.browser)  # the same fixtures


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize(("lang", "portal", "desk"), [("zh-CN", "我的图书馆", "前台借还"),
                                                       ("en", "My library", "Front desk")])
def test_the_landing_page_opens_the_portal_and_the_desk_and_passes_axe(
        base_url: str, browser: Any, database_url: str, size: str, lang: str,
        portal: str, desk: str) -> None:
    page = browser.new_page(viewport=SIZES[size])
    page.goto(f"{base_url}/?lang={lang}")
    assert axe_violations(page) == []
    pages.shot(page, f"landing-{lang}-{size}", pages.backend_of(database_url))
    page.get_by_role("link", name=portal).click()
    page.wait_for_url(f"{base_url}/portal")
    page.go_back()
    page.get_by_role("link", name=desk).click()
    page.wait_for_url(f"{base_url}/desk")
    page.close()
