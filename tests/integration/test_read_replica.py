"""Queries read from a real PostgreSQL streaming replica; read-your-writes still holds.

A throwaway primary and a hot standby made from it with pg_basebackup -R; the replica's
replay is paused to make it visibly behind, then stopped to make it unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from service.adapters.app import build_app
from service.adapters.database import upgrade
from service.application.accounts import create_staff
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.api.circulation_helpers import Library
from tests.throwaway_postgres import ThrowawayCluster, ThrowawayReplica


class Counted:
    """Statements each engine ran (the replica engine only ever connects to the replica)."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    primary = ThrowawayCluster()
    primary.start()
    replica = ThrowawayReplica(primary)
    replica.start()
    try:
        yield primary, replica
    finally:
        replica.destroy()
        primary.destroy()


@pytest.fixture(scope="module")
def world(servers: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, Any]]:
    primary, replica = servers
    upgrade(primary.url)
    lector = bootstrap(Config(database_url=primary.url, database_replica_url=replica.url,
                              secret_key="t", instance_dir=tmp_path_factory.mktemp("rr"),
                              min_position_wait_s=0.5, replica_retry_s=0.2))
    create_staff(lector.engine, "lib1", "lib-pass-1", "librarian")
    client = build_app(lector).test_client()
    token = client.post("/api/v1/auth/token", json={
        "username": "lib1", "password": "lib-pass-1"}).get_json()["token"]
    lib = Library(client, lambda role: {"Authorization": f"Bearer {token}"})
    title_id = lib.title("红楼梦")
    reader_id = lib.reader("RR1")
    for n in range(3):
        lib.copy(title_id, f"RR-{n}")
    direct = create_engine(replica.url, isolation_level="AUTOCOMMIT")
    caught_up(lector, direct)
    yield {"lector": lector, "lib": lib, "reader": reader_id, "direct": direct,
           "replica": replica, "on_replica": Counted(lector.replica)}
    direct.dispose()
    lector.dispose()


def caught_up(lector: Lector, direct: Engine) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with lector.engine.connect() as conn:
        lsn = conn.scalar(text("SELECT pg_current_wal_lsn()::text"))
    deadline = time.monotonic() + 30
    with direct.connect() as conn:
        while not conn.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:l AS pg_lsn)"),
                              {"l": lsn}):
            assert time.monotonic() < deadline, "replica never caught up"
            time.sleep(0.02)


def loans(lib: Library, reader_id: str, min_position: int | None = None) -> list[str]:
    query = f"/api/v1/loans?reader={reader_id}"
    if min_position is not None:
        query += f"&min_position={min_position}"
    answer = lib.get(query)
    assert answer.status_code == 200, answer.get_json()
    return sorted(loan["barcode"] for loan in answer.get_json())


def fallbacks(world: dict[str, Any], reason: str) -> int:
    return int(world["lector"].replica_route.counts().get(reason, 0))


def test_a_query_is_answered_by_the_replica(world: dict[str, Any]) -> None:
    before = world["on_replica"].statements
    assert loans(world["lib"], world["reader"]) == []
    assert world["on_replica"].statements > before
    with world["direct"].connect() as conn:
        assert conn.scalar(text("SELECT pg_is_in_recovery()")) is True


def test_an_export_streams_from_the_replica(world: dict[str, Any]) -> None:
    before = world["on_replica"].statements
    export = world["lib"].get("/api/v1/exports/marc/titles?format=marc21")
    assert export.status_code == 200 and len(export.get_data()) > 0
    assert world["on_replica"].statements > before


def test_a_command_never_touches_the_replica(world: dict[str, Any]) -> None:
    before = world["on_replica"].statements
    made = world["lib"].checkout("RR1", "RR-0")
    assert made.status_code in (200, 201), made.get_json()
    world["lib"].checkin("RR-0")
    assert world["on_replica"].statements == before


def test_a_client_that_saw_its_write_sees_it_while_the_replica_is_paused(
    world: dict[str, Any],
) -> None:
    lector, lib, direct = world["lector"], world["lib"], world["direct"]
    caught_up(lector, direct)
    with direct.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        made = lib.checkout("RR1", "RR-1")
        assert made.status_code in (200, 201), made.get_json()
        behind_before = fallbacks(world, "behind")
        started = time.monotonic()
        assert loans(lib, world["reader"], made.get_json()["position"]) == ["RR-1"]
        assert time.monotonic() - started >= 0.5  # it waited for the replica first
        assert fallbacks(world, "behind") == behind_before + 1
        assert loans(lib, world["reader"]) == []  # the paused replica, as it is
        health = lib.get("/health").get_json()["replica"]
        assert health["replay_paused"] is True and health["positions_behind"] >= 1
        assert health["lag_bytes"] > 0
    finally:
        with direct.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
    caught_up(lector, direct)
    before = world["on_replica"].statements
    assert loans(lib, world["reader"]) == ["RR-1"]
    assert world["on_replica"].statements > before
    assert lib.get("/health").get_json()["replica"]["positions_behind"] == 0


def test_queries_still_answer_from_the_primary_when_the_replica_is_down(
    world: dict[str, Any],
) -> None:
    lib = world["lib"]
    world["replica"].stop()
    unreachable_before = fallbacks(world, "unreachable")
    made = lib.checkout("RR1", "RR-2")
    # (xdist may run the other tests of this module in another process, on its own servers.)
    assert "RR-2" in loans(lib, world["reader"])
    assert "RR-2" in loans(lib, world["reader"], made.get_json()["position"])
    assert fallbacks(world, "unreachable") >= unreachable_before + 1
    health = lib.get("/health")
    assert health.status_code == 200
    assert health.get_json()["replica"]["status"] == "down"
    assert health.get_json()["status"] == "degraded"
    metrics = lib.get("/metrics").get_data(as_text=True)
    assert 'lector_replica_fallbacks_total{reason="unreachable"}' in metrics
