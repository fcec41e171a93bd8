"""With the relay down, notices retry with a capped back-off, then give up, and the log stays
small: one event per state change (first failure, gave up), never one per try."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from events.schema import events
from projections.notice_outbox import list_notices, notice_leases
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.integration.notices_harness import (
    Clock,
    days,
    free_port,
    lend,
    register,
    title_with_copies,
)
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, scan_notices
from workers.notices.sending import deliver_notice


class Busy:
    """An SMTP relay that refuses every message for now (a 4xx: worth retrying)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "451 4.3.0 try again later"


@pytest.fixture
def down(database_url: str, tmp_path: Any) -> Iterator[tuple[Lector, Clock]]:
    """Embedded mode pointed at an SMTP port nobody listens on; retries without waiting."""
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    testing=True, smtp_host="127.0.0.1", smtp_port=free_port(),
                    notice_retry_base_s=0, notice_retry_cap_s=0, notice_max_retries=5)
    clock = Clock()
    lector = bootstrap(config, clock=clock)
    yield lector, clock
    lector.dispose()


def _overdue(lector: Lector, clock: Clock, n: int) -> None:
    ports = lector.ports
    title_with_copies(ports, "Dune", [f"B{i}" for i in range(n)])
    due = None
    for i in range(n):
        register(ports, f"C{i}", f"Reader {i}", "en", f"r{i}@example.org")
        due = lend(ports, f"C{i}", f"B{i}")
    assert due is not None
    clock.to_day(due + days(1))
    assert scan_notices(lector, clock.now)["scheduled"] == n


def _count(lector: Lector, type_: str) -> int:
    with lector.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(events)
                               .where(events.c.type == type_)) or 0)


def test_many_retry_rounds_append_one_failure_and_one_give_up_per_notice(
        down: tuple[Lector, Clock], caplog: pytest.LogCaptureFixture) -> None:
    lector, clock = down
    n = 6
    _overdue(lector, clock, n)
    caplog.set_level(logging.WARNING, logger="workers.notices")
    for _ in range(30):  # 30 dispatch rounds, far more than the cap of 1 + 5 tries
        dispatch_pending(lector, enqueuer(lector, None))

    assert _count(lector, "notice.failed") == n
    assert _count(lector, "notice.gave_up") == n
    with lector.engine.connect() as conn:
        rows = list_notices(conn, kind="overdue")[0]
        leases_left = conn.scalar(select(func.count()).select_from(notice_leases))
    assert {r["status"] for r in rows} == {"gave_up"}
    assert {r["attempts"] for r in rows} == {6}
    assert leases_left == 0
    lines = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 2 * n  # one line when it first waits, one when it gives up
    before = _count(lector, "notice.failed") + _count(lector, "notice.gave_up")
    for _ in range(5):
        assert dispatch_pending(lector, enqueuer(lector, None)) == 0
    assert _count(lector, "notice.failed") + _count(lector, "notice.gave_up") == before


def test_a_changed_failure_reason_is_recorded_once_more_and_nothing_else(
        down: tuple[Lector, Clock]) -> None:
    lector, clock = down
    _overdue(lector, clock, 1)
    with lector.engine.connect() as conn:
        key = list_notices(conn, kind="overdue")[0][0]["notice_key"]
    for _ in range(2):
        assert deliver_notice(lector, key, clock.now).status == "waiting"
    assert _count(lector, "notice.failed") == 1  # connection refused, twice: one event
    busy = Controller(Busy(), hostname="127.0.0.1", port=lector.config.smtp_port)
    busy.start()  # now the relay answers, but "451 try again later"
    try:
        for _ in range(3):
            assert deliver_notice(lector, key, clock.now).status == "waiting"
        assert _count(lector, "notice.failed") == 2  # the new reason, once
        assert deliver_notice(lector, key, clock.now).status == "gave_up"
    finally:
        busy.stop()
    assert _count(lector, "notice.gave_up") == 1
    assert deliver_notice(lector, key, clock.now).status == "gave_up"
    assert _count(lector, "notice.gave_up") == 1


def test_the_wait_before_each_retry_grows_and_stops_at_the_cap(
        database_url: str, tmp_path: Any) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    testing=True, smtp_host="127.0.0.1", smtp_port=free_port(),
                    notice_retry_base_s=30, notice_retry_cap_s=240, notice_max_retries=50)
    clock = Clock()
    lector = bootstrap(config, clock=clock)
    try:
        _overdue(lector, clock, 1)
        with lector.engine.connect() as conn:
            key = list_notices(conn, kind="overdue")[0][0]["notice_key"]
        waits = []
        for _ in range(7):
            result = deliver_notice(lector, key, clock.now)
            assert result.status == "waiting"
            with lector.engine.connect() as conn:
                until = conn.scalar(select(notice_leases.c.queued_until)
                                    .where(notice_leases.c.notice_key == key))
            until = until if until.tzinfo else until.replace(tzinfo=UTC)
            waits.append((until - datetime.now(UTC)).total_seconds())
            assert abs(waits[-1] - result.retry_in) < 5
        ceilings = [30, 60, 120, 240, 240, 240, 240]
        assert all(c / 2 - 5 <= w <= c for w, c in zip(waits, ceilings, strict=True)), waits
        assert waits[:4] == sorted(waits[:4])
        # While it backs off, the dispatcher leaves it alone.
        assert dispatch_pending(lector, enqueuer(lector, None)) == 0
        assert _count(lector, "notice.failed") == 1
    finally:
        lector.dispose()
