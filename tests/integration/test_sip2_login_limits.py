"""Kiosk logins and reader PINs over SIP2 share the API's attempt limits across connections."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from service.adapters.sip2.lector_backend import LectorSip2Backend
from service.adapters.sip2.server import Sip2Server
from service.adapters.sip2.settings import Sip2Settings
from service.config import Config
from tests.integration.test_sip2_lector import (
    KIOSK_PASSWORD,
    PIN,
    SHANGHAI,
    Library,
    start_library,
)
from tests.integration.test_sip2_server import RawKiosk
from tests.worker_process import RedisLease, redis_test_url

STAMP = "20240301    101500"


@pytest.fixture
def library(config: Config) -> Iterator[Library]:
    lib = start_library(replace(config, login_rate_limit="1000 per minute"))
    yield lib
    lib.server.stop()
    lib.lector.dispose()


@pytest.fixture(params=["database", "redis"])
def shared_library(request: pytest.FixtureRequest, config: Config) -> Iterator[Library]:
    """A library whose attempt counts live in the database, or in Redis when the run has one."""
    lease = None
    if request.param == "redis":
        base = redis_test_url()
        if base is None:
            pytest.skip("LECTOR_TEST_REDIS_URL is not set (CI sets it)")
        lease = RedisLease(base)
        config = replace(config, redis_url=lease.url)
    lib = start_library(replace(config, login_rate_limit="1000 per minute"))
    yield lib
    lib.server.stop()
    lib.lector.dispose()
    if lease is not None:
        lease.release()


def kiosk_login(port: int, password: str) -> str:
    """One login on a fresh connection, as a kiosk (or an attacker) reconnecting would."""
    kiosk = RawKiosk(port)
    try:
        return kiosk.ask(f"9300CNkiosk1|CO{password}|CPMAIN|AY0")[:3]
    finally:
        kiosk.close()


def pin_valid(port: int, pin: str) -> str:
    """Log the kiosk in and ask about reader R001 with ``pin``; the CQ (valid PIN) flag."""
    kiosk = RawKiosk(port)
    try:
        assert kiosk.ask(f"9300CNkiosk1|CO{KIOSK_PASSWORD}|CPMAIN|AY0").startswith("941")
        info = kiosk.ask(f"63019{STAMP}  Y       AOLECTOR|AAR001|AD{pin}|AY1")
        return info.split("|CQ", 1)[1][0]
    finally:
        kiosk.close()


def later(library: Library, seconds: float) -> None:
    library.clock[0] += timedelta(seconds=seconds)


def test_kiosk_password_guesses_over_many_connections_lock_the_login_until_it_expires(
    shared_library: Library,
) -> None:
    library = shared_library
    port = library.server.port
    answers = []
    for _ in range(14):  # one guess per connection dodges the per-connection limit of 3
        answers.append(kiosk_login(port, "wrong-password"))
        later(library, 10)
    assert answers == ["940"] * 14
    assert kiosk_login(port, KIOSK_PASSWORD) == "940"  # right password, but locked out
    locked = [e.event for e in library.lector.store.read_all() if e.type == "login.locked"]
    assert [(e.account_kind, e.account, e.channel) for e in locked] == [
        ("kiosk", "kiosk1", "sip2")]
    later(library, 901)
    assert kiosk_login(port, KIOSK_PASSWORD) == "941"


def test_pin_guesses_over_sip2_lock_the_reader_for_kiosks_and_the_api_alike(
    library: Library,
) -> None:
    library.reader("R001", "张三")
    port = library.server.port
    assert pin_valid(port, PIN) == "Y"
    guesses = []
    for i in range(10):  # a new connection for every guess
        guesses.append(pin_valid(port, f"{1000 + i}"))
        later(library, 10)
    assert guesses == ["N"] * 10
    assert pin_valid(port, PIN) == "N"  # the right PIN during the lockout
    api = library.api.post("/api/v1/auth/token", json={"card_number": "R001", "pin": PIN})
    assert (api.status_code, api.get_json()["code"]) == (429, "too_many_attempts")
    later(library, 901)
    assert pin_valid(port, PIN) == "Y"


def test_an_address_trying_too_many_kiosk_logins_is_cut_off_across_connections(
    config: Config,
) -> None:
    lib = start_library(replace(config, login_rate_limit="3 per minute"))
    lib.server.stop()
    backend = LectorSip2Backend(lib.lector)
    gated = Sip2Server(backend, host="127.0.0.1", port=0, clock=lambda: lib.clock[0],
                       settings=Sip2Settings(zone=SHANGHAI), login_gate=backend.login_allowed_from)
    gated.start()
    try:
        tries = [kiosk_login(gated.port, "wrong-password") for _ in range(3)]
        assert tries == ["940"] * 3
        assert kiosk_login(gated.port, KIOSK_PASSWORD) == "940"  # over the address limit
    finally:
        gated.stop()
        lib.lector.dispose()
