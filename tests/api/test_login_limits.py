"""Logins are limited per account (growing delays, then a lockout) and per client address."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.adapters.app import build_app
from service.application.accounts import create_staff
from service.bootstrap import Lector, bootstrap
from service.config import Config

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "desk-pass-1"


class Library:
    """An app on a movable clock, with one desk account and one reader."""

    def __init__(self, config: Config, clock: list[datetime] | None = None) -> None:
        self.clock = clock if clock is not None else [NOW]
        self.lector: Lector = bootstrap(config, clock=lambda: self.clock[0])
        self.client = build_app(self.lector).test_client()

    def token(self, username: str = "desk1", password: str = PASSWORD) -> Any:
        return self.client.post("/api/v1/auth/token",
                                json={"username": username, "password": password})

    def tick(self, seconds: float) -> None:
        self.clock[0] += timedelta(seconds=seconds)


@pytest.fixture
def limits_config(config: Config) -> Config:
    # A wide address limit: these tests are about the per-account limit.
    return replace(config, login_rate_limit="1000 per minute")


@pytest.fixture
def library(limits_config: Config) -> Iterator[Library]:
    lib = Library(limits_config)
    create_staff(lib.lector.engine, "desk1", PASSWORD, "desk")
    yield lib
    lib.lector.dispose()


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_waits_for_the_lock_to_expire(
    library: Library,
) -> None:
    statuses = []
    for _ in range(50):
        statuses.append(library.token(password="wrong-guess").status_code)
        library.tick(10)  # longer than any growing delay, far shorter than the lockout
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}

    refused = library.token()
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "too_many_attempts"
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 900
    assert refused.get_json()["message_zh"].startswith("登录失败次数过多")

    library.tick(wait + 1)
    assert library.token().status_code == 200
    assert library.token(password="wrong-guess").status_code == 401  # counting starts afresh
    assert library.token().status_code == 200


def test_after_a_few_failures_each_try_must_wait_a_growing_delay(library: Library) -> None:
    for _ in range(5):
        assert library.token(password="wrong-guess").status_code == 401
    assert library.token(password="wrong-guess").status_code == 401  # the 6th closes for 1 s
    early = library.token()
    assert (early.status_code, early.headers["Retry-After"]) == (429, "1")
    library.tick(1.5)
    assert library.token(password="wrong-guess").status_code == 401  # the 7th closes for 2 s
    library.tick(1.5)
    assert library.token().status_code == 429
    library.tick(1)
    assert library.token().status_code == 200


def test_a_lockout_is_recorded_as_an_audit_event(library: Library) -> None:
    for _ in range(10):
        library.token(password="wrong-guess")
        library.tick(10)
    locked = [e for e in library.lector.store.read_all()
              if e.type == "login.locked"]
    assert [(e.event.account_kind, e.event.account, e.event.failures, e.meta["channel"])
            for e in locked] == [("staff", "desk1", 10, "api")]


def test_reader_pins_are_limited_per_reader_like_passwords(library: Library) -> None:
    created = library.client.post("/api/v1/readers", json={
        "card_number": "C100", "name": "Reader", "pin": "1234", "category": "adult"},
        headers=_admin(library))
    assert created.status_code == 201, created.get_json()
    answers = []
    for guess in range(50):
        reply = library.client.post("/api/v1/auth/token",
                                    json={"card_number": "C100", "pin": f"{9000 + guess}"})
        answers.append(reply.status_code)
        library.tick(10)
    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    right = library.client.post("/api/v1/auth/token", json={"card_number": "C100", "pin": "1234"})
    assert right.status_code == 429 and "Retry-After" in right.headers


def _admin(library: Library) -> dict[str, str]:
    create_staff(library.lector.engine, "admin9", "admin-pass-9", "admin")
    token = library.token("admin9", "admin-pass-9").get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_too_many_logins_from_one_address_answer_429_with_retry_after(config: Config) -> None:
    lib = Library(replace(config, login_rate_limit="5 per minute"))
    try:
        create_staff(lib.lector.engine, "desk1", PASSWORD, "desk")
        # Different accounts each time: only the address limit can stop this.
        answers = [lib.token(f"guess{i}", "wrong-guess").status_code for i in range(5)]
        assert answers == [401] * 5
        over = lib.token()
        assert over.status_code == 429
        assert over.get_json()["code"] == "too_many_requests"
        assert int(over.headers["Retry-After"]) > 0
        other = lib.client.post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                                json={"username": "desk1", "password": PASSWORD})
        assert other.status_code == 200
    finally:
        lib.lector.dispose()


@pytest.mark.parametrize("body", [
    {"username": "desk1", "password": None, "card_number": "C1", "pin": "1234"},
    {"username": "desk1", "password": None},
    {"username": None, "password": PASSWORD, "card_number": "C1", "pin": None},
    {"username": 7, "password": PASSWORD},
    {"username": "desk1", "password": 12345678},
    {"username": "desk1", "password": ["x"]},
    {"card_number": "C1", "pin": None},
])
def test_a_null_or_non_string_secret_is_refused_as_invalid_input_not_a_crash(
    library: Library, body: dict[str, Any]
) -> None:
    reply = library.client.post("/api/v1/auth/token", json=body)
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["code"] == "invalid_request"


def test_verify_secret_says_no_to_anything_but_a_string() -> None:
    from service.application.accounts import hash_secret, verify_secret

    stored = hash_secret("right-secret")
    assert verify_secret(stored, "right-secret") is True
    assert [verify_secret(stored, v) for v in (None, 1, b"right-secret", ["x"])] == [False] * 4



def test_two_processes_on_redis_share_one_accounts_failures(
    limits_config: Config, redis_url: str
) -> None:
    shared = replace(limits_config, redis_url=redis_url)
    clock = [NOW]
    first, second = Library(shared, clock), Library(shared, clock)  # like two gunicorn workers
    try:
        create_staff(first.lector.engine, "desk1", PASSWORD, "desk")
        for i in range(10):
            worker = first if i % 2 else second
            assert worker.token(password="wrong-guess").status_code == 401
            worker.tick(10)
        assert first.token().status_code == 429
        assert second.token().status_code == 429
        first.tick(901)
        assert second.token().status_code == 200
    finally:
        first.lector.dispose()
        second.lector.dispose()


def test_two_processes_on_redis_share_one_address_limit(config: Config, redis_url: str) -> None:
    shared = replace(config, redis_url=redis_url, login_rate_limit="4 per minute")
    first, second = Library(shared), Library(shared)
    try:
        for i in range(4):
            assert (first if i % 2 else second).token(f"g{i}", "wrong-guess").status_code == 401
        assert first.token().status_code == 429
        assert second.token().status_code == 429
    finally:
        first.lector.dispose()
        second.lector.dispose()


def test_a_burst_of_parallel_guesses_cannot_overtake_the_count(library: Library) -> None:
    from concurrent.futures import ThreadPoolExecutor

    app = library.client.application

    def guess(_: int) -> int:
        reply = app.test_client().post("/api/v1/auth/token",
                                       json={"username": "desk1", "password": "wrong-guess"})
        return int(reply.status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(40)))
    # Five free failures plus the sixth, which closes the account: only those were verified.
    assert (answers.count(401), answers.count(429)) == (6, 34)
