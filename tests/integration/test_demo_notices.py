"""The demo's simulated past is delivered to the local mailbox, never queued for real sending,
so configuring SMTP on a demo instance afterwards sends nothing from the past."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from events.schema import events
from projections.notice_mailbox import mailbox
from projections.notice_outbox import notices
from service.bootstrap import bootstrap
from service.config import Config
from service.data.demo.executor import build_demo
from tests.integration.notices_harness import Sink, start_smtp
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, scan_notices

START = date(2025, 3, 1)


def test_the_demo_delivers_its_past_to_the_mailbox_and_smtp_later_sends_none_of_it(
        database_url: str, tmp_path: Path) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    built = build_demo(config, seed=5, start=START, target_loans=300)
    first = datetime.combine(START, time(0), UTC)
    end = datetime.combine(START + timedelta(days=366), time(0), UTC)

    lector = bootstrap(config)
    with lector.engine.connect() as conn:
        letters = conn.execute(select(mailbox.c.kind, mailbox.c.delivered_at)).all()
        statuses = dict(conn.execute(select(notices.c.status, func.count())
                                     .group_by(notices.c.status)).all())
        sent = conn.execute(select(events.c.data).where(events.c.type == "notice.sent")).all()
    lector.dispose()
    assert built.mailbox == len(letters) > 10
    assert "fine_assessed" in {k for k, _ in letters}
    stamps = [d if d.tzinfo else d.replace(tzinfo=UTC) for _, d in letters]
    assert all(first <= d <= end for d in stamps)
    assert len({d.date() for d in stamps}) > 30  # at their own simulated moments
    assert "pending" not in statuses
    assert {s[0]["channel"] for s in sent} == {"mailbox"} and len(sent) == len(letters)

    sink = Sink()
    controller, port = start_smtp(sink)
    try:
        smtp = replace(config, smtp_host="127.0.0.1", smtp_port=port)
        last_day = max(stamps)
        for now in (last_day, datetime.now(UTC)):  # the demo's last day, and today
            live = bootstrap(replace(smtp, fake_now=now.isoformat()))
            try:
                scan_notices(live, now)
                dispatch_pending(live, enqueuer(live, None))
            finally:
                live.dispose()
    finally:
        controller.stop()
    assert sink.snapshot() == []
