"""On CI the suite must fail, never skip, when PostgreSQL or Redis is missing (DESIGN.md §6)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import pytest
from sqlalchemy import create_engine, make_url, text

DATABASE_VAR = "LECTOR_TEST_DATABASE_URL"
REDIS_VAR = "LECTOR_TEST_REDIS_URL"


def on_ci(env: Mapping[str, str]) -> bool:
    """CI runners set CI=true (GitHub, GitLab and our own .ci/run all do)."""
    return env.get("CI", "").strip().lower() in {"true", "1", "yes"}


def what_to_do(variable: str, env: Mapping[str, str]) -> str:
    """'check' a configured service; without one, 'fail' on CI and 'skip' elsewhere."""
    if env.get(variable):
        return "check"
    return "fail" if on_ci(env) else "skip"


def _ping_postgres(url: str) -> None:
    from service.config import _normalise_db_url

    engine = create_engine(_normalise_db_url(url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def _require(variable: str, service: str, ping: Callable[[str], None]) -> None:
    action = what_to_do(variable, os.environ)
    if action == "fail":
        pytest.fail(f"CI=true but {variable} is not set: the suite must run against real {service}")
    if action == "skip":
        pytest.skip(f"{variable} is not set (CI sets it; this never skips there)")
    url = os.environ[variable]
    try:
        ping(url)
    except Exception as exc:  # any failure to answer is the finding; say which server and why
        shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
        pytest.fail(f"{service} at {shown} ({variable}) does not answer: {exc!r}")


def test_on_ci_a_missing_service_url_is_a_failure_not_a_skip() -> None:
    assert what_to_do(DATABASE_VAR, {"CI": "true"}) == "fail"
    assert what_to_do(REDIS_VAR, {"CI": "true", DATABASE_VAR: "postgresql://x/y"}) == "fail"


def test_off_ci_a_missing_service_url_skips_and_a_present_one_is_checked() -> None:
    assert what_to_do(DATABASE_VAR, {}) == "skip"
    assert what_to_do(DATABASE_VAR, {"CI": "false"}) == "skip"
    assert what_to_do(DATABASE_VAR, {DATABASE_VAR: "postgresql://x/y"}) == "check"
    assert what_to_do(REDIS_VAR, {"CI": "true", REDIS_VAR: "redis://x"}) == "check"


def test_the_postgresql_server_for_tests_is_configured_on_ci_and_answers() -> None:
    _require(DATABASE_VAR, "PostgreSQL", _ping_postgres)


def test_the_redis_server_for_tests_is_configured_on_ci_and_answers() -> None:
    _require(REDIS_VAR, "Redis", _ping_redis)
