"""The notice outbox projection and the send leases, on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from events.fines import FineAssessed
from events.holds import HoldCancelled
from events.notices import NoticeFailed, NoticeScheduled, NoticeSent
from events.store import PendingEvent
from projections.notice_outbox import NoticeOutbox, list_notices, notices
from projections.runner import catch_up, rebuild
from service.bootstrap import Lector, bootstrap
from service.config import Config
from workers.notices.leases import claim, mark_queued, release

AT = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
META = {"actor": "test"}


@pytest.fixture
def lector(sqlite_factory: Any, tmp_path: Any) -> Iterator[Lector]:
    url = sqlite_factory.new()
    app = bootstrap(Config(database_url=url, secret_key="t", instance_dir=tmp_path),
                    after_commit=lambda _p: None)
    yield app
    app.dispose()


def _append(lector: Lector, *events: Any) -> None:
    lector.store.append([PendingEvent(e, ("s",)) for e in events], expected={}, meta=META)


def _rows(lector: Lector) -> list[dict[str, Any]]:
    with lector.engine.connect() as conn:
        rows, _ = list_notices(conn, limit=100)
    return sorted(({k: r[k] for k in ("notice_key", "status", "attempts", "channel",
                                       "digest_key")} for r in rows),
                  key=lambda r: r["notice_key"])


def test_only_a_library_cancellation_of_a_hold_becomes_a_notice(lector: Lector) -> None:
    _append(lector, HoldCancelled("H1", "T", "r1", None, AT, "reader:r1"),
            HoldCancelled("H2", "T", "r1", None, AT, "staff:desk1", "damaged"))
    catch_up(lector.engine, lector.store, NoticeOutbox())
    assert [r["notice_key"] for r in _rows(lector)] == ["hold_cancelled:H2"]


def test_sent_and_failed_events_move_a_notice_and_a_rebuild_gives_the_same_rows(
        lector: Lector) -> None:
    key = "fine_assessed:F1"
    _append(lector, FineAssessed("F1", "r1", 120, "overdue", AT),
            NoticeFailed(key, "r1", "fine_assessed", "email", "timeout", AT, permanent=False),
            NoticeSent(key, "r1", "fine_assessed", "email", "<m@x>", AT, "subject"),
            NoticeScheduled("digest:r1:2026-12-04", "r1", "digest",
                            {"items": [], "item_keys": ["overdue:L1:2026-12-03:+1"]},
                            date(2026, 12, 4)),
            NoticeFailed("digest:r1:2026-12-04", "r1", "digest", "email", "no_address", AT))
    projection = NoticeOutbox()
    catch_up(lector.engine, lector.store, projection)
    incremental = _rows(lector)
    assert incremental == [
        {"notice_key": "digest:r1:2026-12-04", "status": "failed", "attempts": 1, "channel": "",
         "digest_key": None},
        {"notice_key": key, "status": "sent", "attempts": 1, "channel": "email",
         "digest_key": None},
        {"notice_key": "overdue:L1:2026-12-03:+1", "status": "pending", "attempts": 0,
         "channel": "", "digest_key": "digest:r1:2026-12-04"},
    ]
    rebuild(lector.engine, lector.store, projection)
    assert _rows(lector) == incremental
    with lector.engine.connect() as conn:
        assert conn.scalar(select(notices.c.message_id).where(notices.c.notice_key == key)) \
            == "<m@x>"


def test_a_key_can_be_claimed_by_one_sender_at_a_time_until_released_or_expired(
        lector: Lector) -> None:
    engine = lector.engine
    assert claim(engine, "k", "a", AT, 60)
    assert not claim(engine, "k", "b", AT + timedelta(seconds=30), 60)
    release(engine, "k", "b")  # not b's claim: nothing changes
    assert not claim(engine, "k", "b", AT + timedelta(seconds=30), 60)
    release(engine, "k", "a")
    assert claim(engine, "k", "b", AT + timedelta(seconds=31), 60)
    assert claim(engine, "k", "c", AT + timedelta(seconds=92), 60)  # b's claim expired


def test_a_queued_mark_stops_a_second_dispatch_until_it_is_stale(lector: Lector) -> None:
    assert mark_queued(lector.engine, "k", AT, 120)
    assert not mark_queued(lector.engine, "k", AT + timedelta(seconds=60), 120)
    assert mark_queued(lector.engine, "k", AT + timedelta(seconds=121), 120)
