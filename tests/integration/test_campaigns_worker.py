"""A campaign through real Celery workers on Redis and PostgreSQL, into aiosmtpd.

Two schedulers send at once (two threads here plus two `campaigns.send_due` tasks, as two
beats would) and the worker is SIGKILLed mid-send: every sent-group reader still gets
exactly one message (at most the one in flight at the kill repeats, with the same
Message-ID), and the hold-out gets nothing. Uses the notice worker harness.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from events.schema import events
from projections.campaigns import member_ids
from service.application import readers
from service.application.commands import CreateCampaign, LaunchCampaign
from service.application.handlers import handle
from tests.integration.notices_harness import DESK, register, wait_until
from tests.integration.test_notices_worker import Stack, stack  # noqa: F401 (the fixture)
from workers.campaign_sending import send_due_campaigns

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_two_schedulers_and_a_killed_worker_still_send_each_reader_once(
        stack: Stack) -> None:  # noqa: F811
    ports = stack.lector.ports
    n = 30
    for i in range(n):
        rid = register(ports, f"M{i}", f"Reader {i}", "en", f"m{i}@example.org")
        readers.set_preferences(ports, DESK, rid, None, marketing=True)
    cid = handle(ports, DESK, CreateCampaign(
        "We miss you", {"category": "adult"}, "campaign_we_miss_you", stack.clock.now,
        holdout_pct=10)).result["campaign_id"]
    handle(ports, DESK, LaunchCampaign(cid, seed=5))
    with stack.lector.engine.connect() as conn:
        sent, held = member_ids(conn, cid, "sent"), member_ids(conn, cid, "holdout")
    assert (len(sent), len(held)) == (27, 3)

    stack.sink.delay = 0.1
    stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
    # The workers' notice clock is the test's: the campaign was scheduled on its day, and a
    # notice older than notice_max_age_h by the wall clock would never be sent.
    worker = stack.worker(concurrency=2, LECTOR_FAKE_NOW=stack.clock.now.isoformat())
    now = ports.clock()
    threads = [threading.Thread(target=send_due_campaigns, args=(stack.lector, now))
               for _ in range(2)]
    for t in threads:
        t.start()
    stack.send("campaigns.send_due")  # and two beats at once, in the worker
    stack.send("campaigns.send_due")
    for t in threads:
        t.join()
    stack.send("notices.dispatch")
    assert wait_until(lambda: len(stack.sink.snapshot()) >= 6, 60), stack._tail()
    worker.kill()
    at_kill = len(stack.sink.snapshot())
    assert at_kill < len(sent), "the batch finished before the kill: make the sink slower"

    stack.worker(concurrency=2, LECTOR_FAKE_NOW=stack.clock.now.isoformat())

    def all_done() -> bool:
        stack.send("notices.dispatch")
        return stack.pending() == 0 and len(stack.outbox("campaign_we_miss_you")) == len(sent)

    assert wait_until(all_done, 120, step=1.0), stack._tail()
    mails = stack.sink.snapshot()
    ids: dict[str, set[str]] = {}
    for mail in mails:
        ids.setdefault(mail.key, set()).add(mail.message_id)
    assert {k.rsplit(":", 1)[1] for k in ids} == set(sent)  # nobody of the hold-out
    assert all(len(v) == 1 for v in ids.values())  # one Message-ID per reader
    assert len(mails) - len(sent) <= 2  # at most the ones in flight at the kill, repeated
    assert sorted(stack.sent_events().values()) == [1] * len(sent)  # one NoticeSent each
    with stack.lector.engine.connect() as conn:
        scheduled = conn.scalar(select(func.count()).select_from(events)
                                .where(events.c.type == "notice.scheduled"))
    assert scheduled == len(sent)
