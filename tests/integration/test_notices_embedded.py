"""Embedded mode (SQLite, no Redis): the notice flow runs in-process against a real SMTP sink."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from service.application import circulation, settings
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.library.policy import default_matrix
from tests.integration.notices_harness import (
    DESK,
    Clock,
    Sink,
    days,
    give_back,
    lend,
    register,
    start_smtp,
    title_with_copies,
)
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, scan_notices

SENDER = "城东区图书馆 <noreply@lib.example.cn>"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    box = Sink()
    controller, port = start_smtp(box)
    yield box, port
    controller.stop()


@pytest.fixture
def embedded(sqlite_factory: Any, tmp_path: Any, sink: tuple[Sink, int]) -> Iterator[
        tuple[Lector, Clock]]:
    url = sqlite_factory.new()
    config = Config(database_url=url, secret_key="t", instance_dir=tmp_path, testing=True,
                    smtp_host="127.0.0.1", smtp_port=sink[1], smtp_sender=SENDER,
                    library_name="城东区图书馆")
    clock = Clock()
    lector = bootstrap(config, clock=clock)
    yield lector, clock
    lector.dispose()
    sqlite_factory.drop(url)


def _send_pending(lector: Lector) -> int:
    return dispatch_pending(lector, enqueuer(lector, None))


def test_a_return_that_traps_a_copy_sends_one_reservation_ready_mail_in_the_readers_language(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    lector, _clock = embedded
    ports = lector.ports
    register(ports, "C1", "王芳", "zh-CN", "wang@example.cn")
    waiting = register(ports, "C2", "Emily Carter", "en", "emily@example.org")
    title_id = title_with_copies(ports, "三体", ["B1"])
    lend(ports, "C1", "B1")
    circulation.place_hold(ports, DESK, waiting, title_id, "main", None)
    assert give_back(ports, "B1")["route"] == "hold_shelf"

    _send_pending(lector)
    _send_pending(lector)  # a second dispatch (a second beat) must not send again

    mails = sink[0].snapshot()
    assert [m.to for m in mails] == ["emily@example.org"]
    assert mails[0].key.startswith("reservation_ready:")
    assert "三体" in mails[0].text and "Emily Carter" in mails[0].text
    assert "ready" in mails[0].subject.lower()
    assert mails[0].message_id.endswith("@lib.example.cn>")


def test_overdue_scans_on_days_1_7_and_14_send_three_notices_and_none_after_return_or_renewal(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    lector, clock = embedded
    ports = lector.ports
    lector = replace(lector, config=replace(lector.config, notice_due_soon_days=0))
    for card, email in (("K1", "keeps@example.cn"), ("R1", "returns@example.cn"),
                        ("N1", "renews@example.cn")):
        register(ports, card, f"读者{card}", "zh-CN", email)
    title_with_copies(ports, "活着", ["L1", "L2", "L3"])
    # This library lets readers renew overdue loans (the fine so far is charged at renewal).
    settings.change_policy(ports, DESK, {**default_matrix().to_dict(), "renew_overdue": True},
                           None)
    due = lend(ports, "K1", "L1")
    lend(ports, "R1", "L2")
    lend(ports, "N1", "L3")

    sent_per_day = []
    for offset in (1, 2, 7, 14, 15):
        clock.to_day(due + days(offset))
        if offset == 2:
            give_back(ports, "L2")  # returned after the +1 notice: nothing more
            circulation.renew(ports, DESK, "L3", None)  # a new due date: the series stops
        scan_notices(lector, clock())
        _send_pending(lector)
        sent_per_day.append(len([m for m in sink[0].snapshot() if m.key.startswith("overdue")]))

    overdue: dict[str, list[str]] = {}
    for mail in sink[0].snapshot():
        if mail.key.startswith("overdue:"):
            overdue.setdefault(mail.to, []).append(mail.key.rsplit(":", 1)[1])
    assert overdue == {"keeps@example.cn": ["+1", "+7", "+14"],
                       "returns@example.cn": ["+1"], "renews@example.cn": ["+1"]}
    assert sent_per_day == [3, 3, 4, 5, 5]
    fines = [m.to for m in sink[0].snapshot() if m.key.startswith("fine_assessed:")]
    # the late return and the late renewal were fined, and each told once
    assert sorted(fines) == ["renews@example.cn", "returns@example.cn"]
    assert "逾期" in sink[0].snapshot()[0].subject


def test_a_scan_that_raced_a_return_cancels_the_notice_instead_of_sending_it(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    lector, clock = embedded
    ports = lector.ports
    register(ports, "Z1", "赵六", "zh-CN", "zhao@example.cn")
    title_with_copies(ports, "平凡的世界", ["P1"])
    due = lend(ports, "Z1", "P1")
    clock.to_day(due + days(1))
    scan_notices(lector, clock())  # scheduled while the book was still out ...
    give_back(ports, "P1")  # ... returned before the sender got to it

    _send_pending(lector)

    assert [m.key.split(":")[0] for m in sink[0].snapshot()] == ["fine_assessed"]
    from projections.notice_outbox import list_notices

    with lector.engine.connect() as conn:
        rows, _ = list_notices(conn, kind="overdue")
    assert [(r["status"], r["last_error"]) for r in rows] == [("cancelled", "loan_returned")]


def test_a_digest_reader_gets_one_daily_message_for_all_items_and_no_repeat_next_day(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    from service.application.readers import set_preferences

    lector, clock = embedded
    ports = lector.ports
    reader_id = register(ports, "G1", "Emily Carter", "en", "emily@example.org")
    set_preferences(ports, DESK, reader_id, None, digest=True)
    title_with_copies(ports, "To Live", ["G-1", "G-2"])
    due = lend(ports, "G1", "G-1")
    lend(ports, "G1", "G-2")

    for offset in (1, 2):
        clock.to_day(due + days(offset))
        scan_notices(lector, clock())
        _send_pending(lector)

    mails = sink[0].snapshot()
    assert [m.key for m in mails] == [f"digest:{reader_id}:{due + days(1)}"]
    assert mails[0].text.count("To Live") == 2


def test_a_staff_edited_template_is_used_for_the_next_notice(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    from service.application.notices import change_template

    lector, clock = embedded
    ports = lector.ports
    change_template(ports, DESK, "overdue", "zh-CN", "subject",
                    "【{{ library_name }}】请尽快归还《{{ items[0].title }}》", None)
    register(ports, "E1", "钱七", "zh-CN", "qian@example.cn")
    title_with_copies(ports, "围城", ["E-1"])
    due = lend(ports, "E1", "E-1")
    clock.to_day(due + days(1))
    scan_notices(lector, clock())
    _send_pending(lector)
    assert [m.subject for m in sink[0].snapshot()] == ["【城东区图书馆】请尽快归还《围城》"]
