"""Pages and their scripts are gzipped for browsers that ask; API answers never are."""

from __future__ import annotations

import gzip
from typing import Any


def test_the_portal_script_is_gzipped_for_a_browser_that_accepts_it(client: Any) -> None:
    plain = client.get("/web/static/portal.js")
    packed = client.get("/web/static/portal.js", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_api_answers_are_never_encoded(client: Any) -> None:
    reply = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert reply.status_code == 200 and "Content-Encoding" not in reply.headers
    assert reply.get_json()["openapi"]
