"""Upgrading to the notice-moment revision refolds the outbox, so old pending rows get the
moment of their trigger (and an old demo's pending year is stale, not fresh)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from events.engine import make_engine
from events.holds import HoldTrapped
from events.sqlalchemy_store import SqlEventStore
from events.store import PendingEvent
from projections.notice_outbox import NoticeOutbox, notices, pending_to_send
from projections.runner import catch_up
from service.adapters.database import upgrade

A_YEAR_AGO = datetime.now(UTC) - timedelta(days=365)


def test_the_upgrade_refolds_the_outbox_and_a_year_old_trap_is_not_pending_to_send(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006")
    engine = make_engine(url)
    try:
        trap = HoldTrapped("H1", "T1", "R1", "B1", "main", date(2025, 12, 10), A_YEAR_AGO, "next")
        SqlEventStore(engine).append([PendingEvent(trap, ("hold-H1",))], expected={},
                                     meta={"actor": "test"})
        with engine.begin() as conn:  # what the old fold wrote: created now, no moment
            conn.execute(text(
                "INSERT INTO rm_notices (notice_id, notice_key, reader_id, kind, channel, status,"
                " attempts, data, trigger_position, created_at, updated_at) VALUES ('x',"
                " 'reservation_ready:H1:1', 'R1', 'reservation_ready', '', 'pending', 0, '{}', 1,"
                " :now, :now)"), {"now": datetime.now(UTC)})
            conn.execute(text("INSERT INTO projection_checkpoints (name, position) "
                              "VALUES ('notice_outbox', 1)"))
        upgrade(url)
        catch_up(engine, SqlEventStore(engine), NoticeOutbox())
        with engine.connect() as conn:
            rows = conn.execute(select(notices)).mappings().all()
            due = pending_to_send(conn, datetime.now(UTC) - timedelta(hours=72),
                                  datetime.now(UTC))
    finally:
        engine.dispose()
    assert [(r["notice_key"], r["status"]) for r in rows] == [("reservation_ready:H1:1",
                                                               "pending")]
    moment = rows[0]["due_at"]
    assert (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) == A_YEAR_AGO
    assert due == []
