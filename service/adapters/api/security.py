"""Security headers on every answer: pages, API replies and problems alike."""

from __future__ import annotations

from flask import Response, request

# Pages load only their own scripts and styles (no inline script, no inline style
# attributes), so injected markup cannot run; nobody may frame us (clickjacking).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """after_request hook: set the headers unless a view chose its own."""
    # The API docs page too: Swagger UI is served from our static files with no inline script.
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Only over TLS (request.is_secure honours ProxyFix when an operator configures it): a
    # browser that saw HSTS on plain HTTP would ignore it anyway, and local http must work.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
