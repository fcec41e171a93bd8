"""The in-app channel, kinds kept to the portal, and quiet hours, through the real sender."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from events.schema import events
from projections.notice_mailbox import list_mailbox
from projections.notice_outbox import notice_leases
from service.application import circulation
from service.application.notice_settings import set_notice_settings
from service.application.readers import RegisterReader, register_reader, set_preferences
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.conftest import with_config
from tests.integration.notices_harness import DESK, give_back, lend, title_with_copies
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending

LATE_EVENING = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai


@pytest.fixture
def mailing(config: Config) -> Iterator[Lector]:
    """A library with an SMTP relay configured (one that refuses: port 9), so no mailbox fallback."""
    lector = bootstrap(with_config(config, smtp_host="127.0.0.1", smtp_port=9))
    lector.ports.clock = lambda: LATE_EVENING
    yield lector
    lector.dispose()


def a_trapped_hold_for(lector: Lector, channels: tuple[str, ...], **settings: Any) -> str:
    ports = lector.ports
    register_reader(ports, DESK, RegisterReader("A1", "王芳", "adult", email="w@example.cn"), None)
    reader_id = str(register_reader(ports, DESK, RegisterReader(
        "A2", "李雷", "adult", email="l@example.cn"), None).result["reader_id"])
    set_preferences(ports, DESK, reader_id, None, notice_channels=channels)
    if settings:
        set_notice_settings(ports, DESK, reader_id, settings.get("muted", []),
                            settings.get("quiet_start"), settings.get("quiet_end"), None)
    title_id = title_with_copies(ports, "三体", ["T1"])
    lend(ports, "A1", "T1")
    circulation.place_hold(ports, DESK, reader_id, title_id, "main", None)
    give_back(ports, "T1")
    dispatch_pending(lector, enqueuer(lector, None))
    return reader_id


def types_and_channels(lector: Lector) -> list[tuple[str, str]]:
    with lector.engine.connect() as conn:
        rows = conn.execute(select(events.c.type, events.c.data)
                            .where(events.c.type.like("notice.%"))).all()
    return [(t, d.get("channel", "")) for t, d in rows if t != "notice.requested"]


def test_an_in_app_notice_is_kept_for_the_portal_and_recorded_as_sent(mailing: Lector) -> None:
    reader_id = a_trapped_hold_for(mailing, ("in_app",))
    with mailing.engine.connect() as conn:
        items, _ = list_mailbox(conn, reader=reader_id)
    assert [i["kind"] for i in items] == ["reservation_ready"]
    assert "李雷" in items[0]["text"]
    assert ("notice.sent", "in_app") in types_and_channels(mailing)


def test_a_kind_kept_to_the_portal_is_never_mailed(mailing: Lector) -> None:
    reader_id = a_trapped_hold_for(mailing, ("in_app", "email"), muted=["reservation_ready"])
    with mailing.engine.connect() as conn:
        assert list_mailbox(conn, reader=reader_id)[1] == 1
    assert [c for t, c in types_and_channels(mailing) if t in ("notice.sent", "notice.failed")] == [
        "in_app"]  # e-mail was never tried (it would have failed: nothing listens on port 9)


def test_quiet_hours_keep_the_mail_until_morning_but_show_the_notice_in_the_portal(
        mailing: Lector) -> None:
    before = datetime.now(UTC)
    reader_id = a_trapped_hold_for(mailing, ("in_app", "email"), quiet_start="22:00",
                                   quiet_end="07:00")
    with mailing.engine.connect() as conn:
        assert list_mailbox(conn, reader=reader_id)[1] == 1
        queued = conn.execute(select(notice_leases.c.queued_until)).scalars().all()
    assert [c for t, c in types_and_channels(mailing) if t in ("notice.sent", "notice.failed")] == [
        "in_app"]
    wait = max(q if q.tzinfo else q.replace(tzinfo=UTC) for q in queued) - before
    assert timedelta(hours=7, minutes=29) <= wait <= timedelta(hours=7, minutes=31)
