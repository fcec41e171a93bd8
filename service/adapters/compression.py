"""Gzip the web pages and their static files (HTML, scripts, styles) for clients that accept it.

A phone on a slow link spends most of a page load moving bytes: the portal's scripts and styles
are about 46 kB as written and about 13 kB gzipped. The JSON API is left as it is (its answers
are small, and API clients and test transports then never meet an encoding); so are streamed
answers, partial ones and small bodies. ``Vary: Accept-Encoding`` keeps caches honest.
"""

from __future__ import annotations

import gzip

from flask import Request, Response

COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/manifest+json")
MIN_BYTES = 1024


def compress_response(request: Request, response: Response) -> Response:
    """after_request hook: gzip a whole, compressible body of at least MIN_BYTES."""
    if (response.is_streamed and not response.direct_passthrough) or response.status_code != 200 \
            or "Content-Encoding" in response.headers or response.headers.get("Content-Range"):
        return response  # streamed, partial, empty or already encoded: leave it
    if request.path.startswith("/api/") or \
            "gzip" not in request.headers.get("Accept-Encoding", "").lower():
        return response
    if not (response.mimetype or "").startswith(COMPRESSIBLE):
        return response
    response.direct_passthrough = False  # static files: read the body so it can be compressed
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.headers.get("ETag") and not response.headers["ETag"].startswith("W/"):
        response.headers["ETag"] = "W/" + response.headers["ETag"]  # a different byte stream
    return response
