"""Losing the database answers 503 database_unavailable (never 500) and half-applies nothing.

The PostgreSQL test starts a cluster of its own, fires desk traffic from threads, stops the
server for six seconds and starts it again; clients retry a 503 with the same
Idempotency-Key, as Retry-After tells them to.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from werkzeug.serving import make_server

from events.loans import LoanClosed, LoanOpened
from service.adapters.app import build_app
from service.adapters.database import upgrade
from service.application.accounts import create_staff
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.api.circulation_helpers import Library
from tests.throwaway_postgres import ThrowawayCluster

THREADS, COPIES_EACH = 6, 4


def call(base: str, method: str, path: str, token: str | None, body: Any = None,
         key: str | None = None) -> tuple[int, dict[str, str], Any]:
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), json.loads(reply.read() or b"null")
    except HTTPError as refused:
        return refused.code, dict(refused.headers), json.loads(refused.read() or b"null")


def serve(lector: Lector) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, build_app(lector), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def set_up_library(lector: Lector) -> str:
    """Readers D0..D5 with four copies each; returns a desk token."""
    create_staff(lector.engine, "desk1", "desk-pass-1", "desk")
    create_staff(lector.engine, "lib1", "lib-pass-1", "librarian")
    client = build_app(lector).test_client()
    tokens = {}
    for name, password in (("desk1", "desk-pass-1"), ("lib1", "lib-pass-1")):
        tokens[name] = client.post("/api/v1/auth/token", json={
            "username": name, "password": password}).get_json()["token"]
    role_token = {"desk": tokens["desk1"], "librarian": tokens["lib1"]}
    lib = Library(client, lambda role: {"Authorization": f"Bearer {role_token[role]}"})
    title_id = lib.title("红楼梦")
    for t in range(THREADS):
        lib.reader(f"D{t}")
        for c in range(COPIES_EACH):
            lib.copy(title_id, f"B{t}-{c}")
    return tokens["desk1"]


class Traffic:
    """Desk threads lending and returning their own copies; every answer is kept."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.answers: list[tuple[str, int, dict[str, str], Any]] = []
        self.final: dict[str, tuple[str, int, Any]] = {}  # idempotency key -> last answer
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def command(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        key = uuid.uuid4().hex
        while True:
            status, headers, data = call(self.base, "POST", path, self.token, body, key)
            with self.lock:
                self.answers.append((path, status, headers, data))
            if status != 503:
                with self.lock:
                    self.final[key] = (path, status, data)
                return status, data
            time.sleep(min(float(headers.get("Retry-After", "1")), 0.3))  # same key again

    def desk(self, n: int) -> None:
        barcodes = [f"B{n}-{c}" for c in range(COPIES_EACH)]
        while not self.stop.is_set():
            for barcode in barcodes:
                status, _ = self.command("/api/v1/checkouts",
                                         {"card_number": f"D{n}", "barcode": barcode})
                if status < 300:
                    self.command("/api/v1/checkins", {"barcode": barcode})

    def reads(self) -> None:
        while not self.stop.is_set():
            for path in ("/api/v1/readers?q=D", "/api/v1/copies/B0-0", "/health"):
                status, headers, data = call(self.base, "GET", path, self.token)
                with self.lock:
                    self.answers.append((path, status, headers, data))
            time.sleep(0.02)


def run_outage(lector: Lector, base: str, token: str, outage: Any, recover: Any) -> Traffic:
    traffic = Traffic(base, token)
    threads = [threading.Thread(target=traffic.desk, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=traffic.reads))
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        outage()
        time.sleep(6)
        recover()
        time.sleep(3)
    finally:
        traffic.stop.set()
        for t in threads:
            t.join(timeout=120)
    return traffic


def assert_outage_answered_well(traffic: Traffic) -> None:
    statuses = [status for _p, status, _h, _d in traffic.answers]
    assert 500 not in statuses, [a for a in traffic.answers if a[1] >= 500 and a[1] != 503][:3]
    unavailable = [a for a in traffic.answers if a[1] == 503 and a[0] != "/health"]
    assert unavailable, "the outage was never noticed: the test did not test anything"
    for _path, _status, headers, data in unavailable:
        assert data["code"] == "database_unavailable" and int(headers["Retry-After"]) >= 1
        assert data["message_zh"] and data["message_en"]
    assert all(200 <= s < 500 or s == 503 for s in statuses)
    finals = list(traffic.final.values())
    assert all(status != 503 for _p, status, _d in finals)
    after = traffic.answers[-len(traffic.answers) // 10:]
    assert any(status == 201 for _p, status, _h, _d in after), "the pool did not recover"


def assert_nothing_half_applied(lector: Lector, traffic: Traffic) -> None:
    log = list(lector.store.iter_all())
    opened = {e.event.loan_id for e in log if isinstance(e.event, LoanOpened)}
    closed = {e.event.loan_id for e in log if isinstance(e.event, LoanClosed)}
    lent = {d["loan_id"] for p, s, d in traffic.final.values()
            if p == "/api/v1/checkouts" and s < 300}
    returned = {d["loan_closed"] for p, s, d in traffic.final.values()
                if p == "/api/v1/checkins" and s < 300 and d["loan_closed"]}
    assert opened == lent  # every answered checkout has its loan, and no loan is unanswered
    assert closed == returned
    assert lector.store.last_position() == log[-1].position


@pytest.mark.postgres
def test_stopping_postgresql_for_six_seconds_gives_503s_and_no_half_applied_checkout(
        tmp_path: Path) -> None:
    if not os.environ.get("LECTOR_TEST_DATABASE_URL"):
        pytest.skip("LECTOR_TEST_DATABASE_URL is not set (CI sets it; this never skips there)")
    cluster = ThrowawayCluster()
    try:
        cluster.start()
        upgrade(cluster.url)
        lector = bootstrap(Config(database_url=cluster.url, secret_key="t",
                                  instance_dir=tmp_path, min_position_wait_s=0.5))
        token = set_up_library(lector)
        for base in serve(lector):
            traffic = run_outage(lector, base, token, cluster.stop, cluster.start)
        assert_outage_answered_well(traffic)
        assert_nothing_half_applied(lector, traffic)
        print(f"{len(traffic.answers)} answers, "
              f"{sum(1 for a in traffic.answers if a[1] == 503)} were 503")
        lector.dispose()
    finally:
        cluster.destroy()


def test_an_sqlite_file_that_cannot_be_opened_gives_503_then_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    url = f"sqlite:///{folder / 'lector.db'}"
    upgrade(url)
    lector = bootstrap(Config(database_url=url, secret_key="t", instance_dir=tmp_path))
    token = set_up_library(lector)
    hidden = tmp_path / "moved-away"

    def outage() -> None:
        folder.rename(hidden)  # the disk went away: no connection can open the file
        lector.engine.dispose()

    def recover() -> None:
        hidden.rename(folder)

    for base in serve(lector):
        traffic = run_outage(lector, base, token, outage, recover)
    assert_outage_answered_well(traffic)
    assert_nothing_half_applied(lector, traffic)
    lector.dispose()
