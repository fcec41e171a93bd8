"""A position the log has not reached is answered at once; waits for projections are bounded."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from werkzeug.serving import make_server

from service.adapters.app import build_app
from service.application.accounts import create_staff
from service.bootstrap import bootstrap
from service.config import Config


def serve(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def timed_get(url: str, headers: dict[str, str]) -> tuple[int, float, dict[str, str], bytes]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=30) as reply:
            return reply.status, time.monotonic() - start, dict(reply.headers), reply.read()
    except HTTPError as refused:
        return refused.code, time.monotonic() - start, dict(refused.headers), refused.read()


@pytest.fixture
def library(database_url: str, tmp_path: Path) -> Iterator[tuple[Any, str, dict[str, str]]]:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    min_position_wait_s=1.0, min_position_waiters=2)
    lector = bootstrap(config, after_commit=lambda position: None)  # nobody folds the log
    create_staff(lector.engine, "desk1", "desk-pass-1", "desk")
    app = build_app(lector)
    with app.test_client() as client:
        token = client.post("/api/v1/auth/token", json={
            "username": "desk1", "password": "desk-pass-1"}).get_json()["token"]
    for base in serve(app):
        yield lector, base, {"Authorization": f"Bearer {token}"}
    lector.dispose()


def test_sixteen_requests_for_a_position_far_beyond_the_log_answer_at_once(
        library: tuple[Any, str, dict[str, str]]) -> None:
    lector, base, headers = library
    url = f"{base}/api/v1/readers?min_position={10**15}"
    with ThreadPoolExecutor(17) as pool:
        asked = [pool.submit(timed_get, url, headers) for _ in range(16)]
        time.sleep(0.05)
        health = pool.submit(timed_get, f"{base}/health", {})
        answers = [a.result() for a in asked]
    for status, took, _headers, body in answers:
        assert status == 422 and b'"position_not_reached"' in body
        assert took < 1.0, f"answered after {took:.2f} s"
    status, took, _headers, _body = health.result()
    assert status == 200 and took < 1.0
    assert lector.store.last_position() < 10**15


def test_beyond_the_waiting_slots_a_lagging_read_is_told_to_retry_at_once(
        library: tuple[Any, str, dict[str, str]]) -> None:
    lector, base, headers = library
    register = urllib.request.Request(
        f"{base}/api/v1/readers", method="POST", headers={**headers,
                                                          "Content-Type": "application/json"},
        data=b'{"card_number": "RB1", "name": "lagging", "category": "adult"}')
    with urllib.request.urlopen(register, timeout=10) as made:
        assert made.status == 201
    head = lector.store.last_position()  # exists, but no projection has folded it
    url = f"{base}/api/v1/readers?min_position={head}"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: timed_get(url, headers), range(8)))
    assert all(status == 503 and b'"projection_behind"' in body
               and reply_headers["Retry-After"] == "1"
               for status, _took, reply_headers, body in answers)
    quick = sorted(took for _s, took, _h, _b in answers)
    assert quick[5] < 0.5, quick  # six of eight did not wait: only two slots
    assert quick[-1] >= 0.9, quick  # the two that got a slot waited for the projection


def test_a_position_the_projections_have_reached_is_served_at_once(
        client: Any, auth: Any) -> None:
    made = client.post("/api/v1/readers", json={"card_number": "RB2", "name": "有",
                                                "category": "adult"}, headers=auth("desk"))
    position = made.get_json()["position"]
    reply = client.get(f"/api/v1/readers?min_position={position}", headers=auth("desk"))
    assert reply.status_code == 200
    ahead = client.get(f"/api/v1/readers?min_position={position + 1}", headers=auth("desk"))
    assert ahead.status_code == 422 and ahead.get_json()["head"] == position
    assert ahead.get_json()["errors"] == {"min_position": [f"Must be at most {position}."]}
