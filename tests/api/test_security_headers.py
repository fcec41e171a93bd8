"""Every page and API answer carries the security headers; HSTS only over TLS."""

from __future__ import annotations

from typing import Any

import pytest

from service.adapters.app import build_app
from tests.conftest import with_config


@pytest.mark.parametrize("path", ["/desk", "/portal", "/api/v1/titles", "/api/v1/readers",
                                  "/health", "/api/v1/no-such-route", "/web/static/desk.js"])
def test_pages_api_answers_and_problems_carry_the_security_headers(client: Any, path: str) -> None:
    reply = client.get(path)
    csp = reply.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in reply.headers  # plain http: no HSTS


def test_hsts_is_sent_over_tls(client: Any) -> None:
    reply = client.get("/api/v1/titles", base_url="https://lector.example")
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_trusted_proxy_the_forwarded_scheme_decides_hsts(lector: Any) -> None:
    lector.config = with_config(lector.config, trusted_proxies=1)
    proxied = build_app(lector).test_client()
    over_tls = proxied.get("/portal", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in proxied.get("/portal").headers


def test_without_a_trusted_proxy_a_forwarded_scheme_is_ignored(client: Any) -> None:
    reply = client.get("/portal", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in reply.headers


def test_the_pages_have_no_inline_script_or_style_the_policy_would_block(client: Any) -> None:
    for path in ("/desk", "/portal"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and " onclick=" not in html


def test_the_interactive_api_page_gets_the_same_strict_policy_as_every_page(
        client: Any) -> None:
    reply = client.get("/api/v1/docs")
    assert reply.status_code == 200
    csp = reply.headers["Content-Security-Policy"]
    # Swagger UI is served from our own static files with no inline script.
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp and "unsafe-inline" not in csp
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
