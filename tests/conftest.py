"""Fixtures: a fresh database per test on every configured back end, app, client, tokens."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from service.application.accounts import create_staff, use_argon2_parameters
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.databases import PostgresFactory, SqliteFactory, postgres_admin_url
from tests.shared_demo import drop_run_demos
from tests.slow_tests import mark_slow
from tests.worker_process import RedisLease, redis_test_url

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("LECTOR_TEST_DATABASE_URL") else [])
# Argon2's cheapest costs for hashes made in the test processes (production keeps
# accounts.ARGON2_PARAMETERS; tests/unit/test_password_hashing.py checks both).
TEST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def pytest_configure(config: pytest.Config) -> None:
    use_argon2_parameters(**TEST_ARGON2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_slow(items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without -n
        drop_run_demos(session.config)  # every worker has finished with the shared demos


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory]:
    url = postgres_admin_url()
    if url is None:
        pytest.skip("LECTOR_TEST_DATABASE_URL is not set (CI sets it; this never skips there)")
    factory = PostgresFactory(url)  # unreachable server: an error, not a skip
    yield factory
    factory.close()


def _factory(request: pytest.FixtureRequest, backend: str) -> Any:
    name = "postgres_factory" if backend == "postgres" else "sqlite_factory"
    return request.getfixturevalue(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database on each configured back end."""
    factory = _factory(request, request.param)
    url = factory.new()
    yield url
    factory.drop(url)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated PostgreSQL database (for tests that are about PostgreSQL)."""
    factory = request.getfixturevalue("postgres_factory")
    url = factory.new()
    yield url
    factory.drop(url)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of this test's own (leased), at LECTOR_TEST_REDIS_URL's server."""
    base = redis_test_url()
    if base is None:
        pytest.skip("LECTOR_TEST_REDIS_URL is not set (CI sets it; this never skips there)")
    lease = RedisLease(base)  # unreachable: raises, so the test errors instead of skipping
    yield lease.url
    lease.release()


@pytest.fixture
def config(database_url: str, tmp_path: Any) -> Config:
    return Config(database_url=database_url, secret_key="test-secret", instance_dir=tmp_path,
                  testing=True, min_position_wait_s=0.5)


@pytest.fixture
def lector(config: Config) -> Iterator[Lector]:
    """The embedded composition: projections fold in-process right after each command."""
    app = bootstrap(config)
    yield app
    app.dispose()


@pytest.fixture
def app(lector: Lector) -> Any:
    from service.adapters.app import build_app

    flask_app = build_app(lector)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


STAFF = {"admin": "admin-pass-1", "librarian": "librarian-pass-1", "desk": "desk-pass-1"}


@pytest.fixture
def tokens(lector: Lector, client: Any) -> dict[str, str]:
    """A bearer token for each staff role."""
    out = {}
    for role, password in STAFF.items():
        create_staff(lector.engine, f"{role}1", password, role)
        reply = client.post("/api/v1/auth/token", json={"username": f"{role}1",
                                                        "password": password})
        assert reply.status_code == 200, reply.get_json()
        out[role] = reply.get_json()["token"]
    return out


@pytest.fixture
def auth(tokens: dict[str, str]) -> Callable[[str], dict[str, str]]:
    """Headers for a role: auth("librarian")."""
    return lambda role: {"Authorization": f"Bearer {tokens[role]}"}


@pytest.fixture
def staff_actor() -> Actor:
    return Actor(Principal("staff", "tester", "admin"), "api")


def with_config(config: Config, **changes: Any) -> Config:
    return replace(config, **changes)
