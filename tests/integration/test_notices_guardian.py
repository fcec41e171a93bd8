"""A linked child's hold-ready and overdue notices also reach the guardian's channels, in
the guardian's language, once each however often the sender runs (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from events.schema import events
from projections.notice_mailbox import list_mailbox
from projections.notice_outbox import list_notices
from service.application import circulation
from service.application.commands import LinkGuardian
from service.application.handlers import handle
from service.application.readers import RegisterReader, register_reader, set_preferences
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.conftest import with_config
from tests.integration.notices_harness import DESK, give_back, lend, title_with_copies
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending
from workers.notices.sending import deliver_notice

MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def mailing(config: Config) -> Iterator[Lector]:
    lector = bootstrap(with_config(config, smtp_host="127.0.0.1", smtp_port=9))
    lector.ports.clock = lambda: MORNING
    yield lector
    lector.dispose()


def reader(lector: Lector, card: str, name: str, channels: tuple[str, ...], lang: str) -> str:
    ports = lector.ports
    reader_id = str(register_reader(ports, DESK, RegisterReader(
        card, name, "adult", language=lang), None).result["reader_id"])
    set_preferences(ports, DESK, reader_id, None, notice_channels=channels)
    return reader_id


@pytest.mark.parametrize("child_channels", [("in_app",), ()])
def test_a_childs_hold_ready_notice_is_copied_to_the_guardian_once(
    mailing: Lector, child_channels: tuple[str, ...]
) -> None:
    ports = mailing.ports
    register_reader(ports, DESK, RegisterReader("A1", "王芳", "adult"), None)
    child = reader(mailing, "K1", "小明", child_channels, "zh-CN")
    parent = reader(mailing, "P1", "Parent", ("in_app",), "en")
    handle(ports, DESK, LinkGuardian(child, parent, "desk"))
    title_id = title_with_copies(ports, "三体", ["T1"])
    lend(ports, "A1", "T1")
    circulation.place_hold(ports, DESK, child, title_id, "main", None)
    give_back(ports, "T1")
    for _ in range(2):
        dispatch_pending(mailing, enqueuer(mailing, None))
    with mailing.engine.connect() as conn:
        [notice] = [n for n in list_notices(conn, reader_id=child)[0]
                    if n["kind"] == "reservation_ready"]
        mine, _ = list_mailbox(conn, reader=child)
        theirs, _ = list_mailbox(conn, reader=parent)
    assert deliver_notice(mailing, notice["notice_key"], MORNING).status == "already_sent"
    assert len(mine) == len(child_channels)
    assert [(m["kind"], m["lang"]) for m in theirs] == [("reservation_ready", "en")]
    assert "小明" in theirs[0]["text"]  # the copy says whose hold it is
    with mailing.engine.connect() as conn:
        sent = [d["channel"] for t, d in conn.execute(
            select(events.c.type, events.c.data).where(events.c.type == "notice.sent"))]
    assert sorted(sent) == sorted([*child_channels, f"g-{parent}-in_app"])
