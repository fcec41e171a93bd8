"""/api/v1/docs works with no internet: Swagger UI comes from the app's own static files."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.browser.test_pages import browser, chromium_path  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
# What another helper's CSP will require: scripts only from the app, none inline.
STRICT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_docs_page_lists_every_operation_with_every_outside_request_blocked(
        served: str, browser: Any, client: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    outside: list[str] = []
    page = browser.new_page()

    def only_local(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1":
            outside.append(url)
            route.abort()
        elif url.rstrip("/").endswith("/api/v1/docs"):
            reply = route.fetch()  # the page as the app sends it, under a strict CSP
            route.fulfill(response=reply, headers={**reply.headers,
                                                   "content-security-policy": STRICT_CSP})
        else:
            route.continue_()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{served}/api/v1/docs")
    documented = sum(len([m for m in item if m in ("get", "post", "put", "patch", "delete")])
                     for item in client.get("/api/v1/openapi.json").get_json()["paths"].values())
    tags = page.locator(".opblock-tag")
    expect(tags.first).to_be_visible(timeout=20_000)
    seen = 0
    for n in range(tags.count()):  # unfold each tag in turn: its operations are all listed
        tag = tags.nth(n)
        tag.click()
        section = page.locator(".opblock-tag-section").nth(n)
        expect(section.locator(".opblock").first).to_be_visible()
        seen += section.locator(".opblock").count()
        tag.click()
    assert seen == documented
    tags.first.click()  # the auth tag, unfolded again for the checks below
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/auth/token")).to_be_visible()
    expect(page.locator("button.authorize")).to_be_visible()  # the bearer scheme is declared
    assert outside == []
    assert [e for e in errors if "Content Security Policy" in e] == []
    page.close()


def test_the_docs_page_references_nothing_outside_the_app(client: Any) -> None:
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert not re.search(r"(?:https?:)?//", html)
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
