"""Tokens stop working at once on deactivation, password or PIN change, role change and logout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from service.adapters.app import build_app
from service.application.accounts import create_staff
from service.application.token_versions import token_versions
from service.bootstrap import bootstrap
from service.config import Config
from tests.api.circulation_helpers import Library
from tests.worker_process import RedisLease, redis_test_url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_in(client: Any, **credentials: str) -> str:
    reply = client.post("/api/v1/auth/token", json=credentials)
    assert reply.status_code == 200, reply.get_json()
    return str(reply.get_json()["token"])


def test_a_deactivated_desk_accounts_old_token_can_no_longer_lend_a_book(
    client: Any, auth: Any
) -> None:
    library = Library(client, auth)
    library.reader("R1")
    library.copy(library.title("三体"), "B1")
    library.copy(library.title("活着"), "B2")
    desk_token = log_in(client, username="desk1", password="desk-pass-1")
    lend = {"card_number": "R1", "barcode": "B1"}
    assert client.post("/api/v1/checkouts", json=lend, headers=bearer(desk_token)).status_code \
        == 201

    off = client.post("/api/v1/staff/desk1/deactivate", headers=auth("admin"))
    assert (off.status_code, off.get_json()["active"]) == (200, False)
    refused = client.post("/api/v1/checkouts", json={"card_number": "R1", "barcode": "B2"},
                          headers=bearer(desk_token))
    assert (refused.status_code, refused.get_json()["code"]) == (401, "token_revoked")
    assert library.get("/api/v1/loans?barcode=B2", role="librarian").get_json() == []
    again = client.post("/api/v1/auth/token", json={"username": "desk1",
                                                    "password": "desk-pass-1"})
    assert again.status_code == 401

    client.post("/api/v1/staff/desk1/reactivate", headers=auth("admin"))
    assert client.get("/api/v1/auth/me", headers=bearer(desk_token)).status_code == 401
    fresh = log_in(client, username="desk1", password="desk-pass-1")
    assert client.get("/api/v1/auth/me", headers=bearer(fresh)).status_code == 200


def test_a_reader_token_dies_when_the_pin_changes(client: Any, auth: Any) -> None:
    reader_id = Library(client, auth).reader("R7")
    token = log_in(client, card_number="R7", pin="1234")
    mine = f"/api/v1/readers/{reader_id}/loans"
    assert client.get(mine, headers=bearer(token)).status_code == 200

    changed = client.patch(f"/api/v1/readers/{reader_id}", json={"pin": "8642"},
                           headers=auth("desk"))
    assert changed.status_code == 200, changed.get_json()
    assert client.get(mine, headers=bearer(token)).status_code == 401
    assert client.post("/api/v1/auth/token",
                       json={"card_number": "R7", "pin": "1234"}).status_code == 401
    new_token = log_in(client, card_number="R7", pin="8642")
    assert client.get(mine, headers=bearer(new_token)).status_code == 200


def test_logout_kills_the_token_and_every_other_token_of_the_account(
    client: Any, auth: Any, tokens: dict[str, str]
) -> None:
    phone = log_in(client, username="librarian1", password="librarian-pass-1")
    laptop = log_in(client, username="librarian1", password="librarian-pass-1")
    assert client.post("/api/v1/auth/logout", headers=bearer(phone)).status_code == 204
    for token in (phone, laptop):
        reply = client.get("/api/v1/auth/me", headers=bearer(token))
        assert (reply.status_code, reply.get_json()["code"]) == (401, "token_revoked")
    assert client.get("/api/v1/auth/me", headers=auth("desk")).status_code == 200  # others live


def test_a_password_reset_and_a_role_change_revoke_the_old_token(
    client: Any, auth: Any, tokens: dict[str, str]
) -> None:
    old = log_in(client, username="librarian1", password="librarian-pass-1")
    reset = client.post("/api/v1/staff/librarian1/password", json={"password": "new-pass-123"},
                        headers=auth("admin"))
    assert reset.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(old)).status_code == 401
    new = log_in(client, username="librarian1", password="new-pass-123")
    assert client.get("/api/v1/auth/me", headers=bearer(new)).get_json()["role"] == "librarian"

    demoted = client.post("/api/v1/staff/librarian1/role", json={"role": "desk"},
                          headers=auth("admin"))
    assert demoted.get_json()["role"] == "desk"
    assert client.get("/api/v1/auth/me", headers=bearer(new)).status_code == 401
    as_desk = log_in(client, username="librarian1", password="new-pass-123")
    assert client.get("/api/v1/auth/me", headers=bearer(as_desk)).get_json()["role"] == "desk"


@pytest.fixture(params=["database", "redis"])
def shared_config(request: pytest.FixtureRequest, config: Config) -> Iterator[Config]:
    """Two processes' config: the same database, and Redis when the run has one."""
    if request.param == "database":
        yield replace(config, token_version_cache_s=0.3)
        return
    base = redis_test_url()
    if base is None:
        pytest.skip("LECTOR_TEST_REDIS_URL is not set (CI sets it)")
    lease = RedisLease(base)
    yield replace(config, token_version_cache_s=0.3, redis_url=lease.url)
    lease.release()


def test_a_deactivation_reaches_another_worker_within_the_cache_time(
    shared_config: Config,
) -> None:
    first, second = bootstrap(shared_config), bootstrap(shared_config)  # two gunicorn workers
    try:
        one, two = build_app(first).test_client(), build_app(second).test_client()
        create_staff(first.engine, "admin1", "admin-pass-1", "admin")
        create_staff(first.engine, "desk1", "desk-pass-1", "desk")
        admin = log_in(one, username="admin1", password="admin-pass-1")
        desk = log_in(two, username="desk1", password="desk-pass-1")
        assert two.get("/api/v1/auth/me", headers=bearer(desk)).status_code == 200  # cached now
        assert one.post("/api/v1/staff/desk1/deactivate", headers=bearer(admin)).status_code \
            == 200
        assert one.get("/api/v1/auth/me", headers=bearer(desk)).status_code == 401  # at once
        time.sleep(0.4)
        assert two.get("/api/v1/auth/me", headers=bearer(desk)).status_code == 401
    finally:
        first.dispose()
        second.dispose()


def test_a_worker_with_a_stale_cache_refuses_old_tokens_after_the_ttl_and_accepts_new_ones(
    config: Config,
) -> None:
    lector = bootstrap(replace(config, token_version_cache_s=0.3))
    try:
        client = build_app(lector).test_client()
        create_staff(lector.engine, "desk1", "desk-pass-1", "desk")
        old = log_in(client, username="desk1", password="desk-pass-1")
        assert client.get("/api/v1/auth/me", headers=bearer(old)).status_code == 200  # cached
        # Another process revokes: it writes the table, this process hears nothing of it.
        with lector.engine.begin() as conn:
            conn.execute(token_versions.insert().values(account="staff:desk1", version=1))
        new = log_in(client, username="desk1", password="desk-pass-1")
        assert client.get("/api/v1/auth/me", headers=bearer(new)).status_code == 200  # at once
        time.sleep(0.4)
        assert client.get("/api/v1/auth/me", headers=bearer(old)).status_code == 401
        assert client.get("/api/v1/auth/me", headers=bearer(new)).status_code == 200
    finally:
        lector.dispose()
