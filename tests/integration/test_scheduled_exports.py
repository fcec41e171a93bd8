"""Scheduled exports deliver each period exactly once: to a folder or by SMTP, under races."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from events.exports import ScheduledExportDelivered
from projections.export_schedules import deliveries, list_schedules
from projections.registry import by_name
from projections.runner import catch_up, checkpoint, rebuild
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.data.exporting import KINDS
from service.data.exporting.scheduling import change_schedule, create_schedule, remove_schedule
from tests.integration.notices_harness import Sink, register, start_smtp, title_with_copies
from workers.exports.delivery import FolderEscape, deliver_due, folder_for

LIBRARIAN = Actor(Principal("staff", "lib1", "librarian"), "api")
# Monday 1 Dec 2026 is in ISO week 49; 06:00 Shanghai on Wednesday is 22:00 UTC on Tuesday.
WEDNESDAY_LATE = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
NEXT_WEEK = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
WEEKLY = {"name": "每周读者", "kind": "readers", "format": "csv", "cadence": "weekly",
          "weekday": 3, "at": "06:00", "delivery": "folder", "folder": "weekly"}


@pytest.fixture
def library(lector: Lector) -> Lector:
    register(lector.ports, "A100", "张三", "zh-CN", "zhang@example.cn")
    title_with_copies(lector.ports, "红楼梦", ["B1"])
    return lector


def _deliveries(lector: Lector) -> list[ScheduledExportDelivered]:
    return [s.event for s in lector.store.read_all(0, 10_000)
            if isinstance(s.event, ScheduledExportDelivered)]


def _schedule(lector: Lector, **changes: Any) -> str:
    return str(create_schedule(lector.ports, LIBRARIAN, {**WEEKLY, **changes}, list(KINDS))
               .result["schedule_id"])


def test_a_folder_schedule_writes_the_file_once_per_week(library: Lector) -> None:
    sid = _schedule(library)
    first = deliver_due(library, WEDNESDAY_LATE)
    again = deliver_due(library, WEDNESDAY_LATE.replace(hour=9))
    assert [(d.schedule_id, d.period) for d in first] == [(sid, "2026-W49")] and again == []
    folder = library.config.export_base / "weekly"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [first[0].file_name] and files[0].startswith("lector-readers-2026-W49-pos")
    rows = list(csv.reader(io.StringIO((folder / files[0]).read_text("utf-8-sig"))))
    assert rows[1][:2] == ["A100", "张三"]
    assert [d.period_key for d in _deliveries(library)] == ["2026-W49"]
    assert [d.period for d in deliver_due(library, NEXT_WEEK)] == ["2026-W50"]


def test_nothing_is_delivered_before_the_day_or_after_a_schedule_is_removed(
        library: Lector) -> None:
    sid = _schedule(library)
    assert deliver_due(library, datetime(2026, 12, 1, 21, 59, tzinfo=UTC)) == []
    remove_schedule(library.ports, LIBRARIAN, sid)
    assert deliver_due(library, WEDNESDAY_LATE) == []
    assert _deliveries(library) == []


def test_a_changed_schedule_delivers_its_new_kind_and_format(library: Lector) -> None:
    sid = _schedule(library)
    change_schedule(library.ports, LIBRARIAN, sid, {**WEEKLY, "kind": "copies",
                                                     "format": "xlsx", "lang": "en"},
                    list(KINDS))
    (done,) = deliver_due(library, WEDNESDAY_LATE)
    assert done.file_name.startswith("lector-copies-2026-W49-") and done.file_name.endswith(".xlsx")


def test_two_schedulers_racing_deliver_each_period_exactly_once(config: Config,
                                                                library: Lector) -> None:
    sids = {_schedule(library, folder=f"race{n}") for n in range(3)}
    # A second, separately bootstrapped process-like root: its own engine and pool.
    other = bootstrap(config)
    results: list[list[Any]] = [[], []]
    barrier = threading.Barrier(2)

    def run(n: int, root: Lector) -> None:
        barrier.wait()
        results[n] = deliver_due(root, WEDNESDAY_LATE)

    try:
        threads = [threading.Thread(target=run, args=(n, root))
                   for n, root in enumerate((library, other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()
    delivered = [(d.schedule_id, d.period) for d in results[0] + results[1]]
    assert sorted(delivered) == sorted((sid, "2026-W49") for sid in sids)
    assert sorted(d.schedule_id for d in _deliveries(library)) == sorted(sids)
    for n in range(3):
        assert len(list((library.config.export_base / f"race{n}").iterdir())) == 1


def test_a_failed_delivery_is_retried_on_the_next_tick(library: Lector, tmp_path: Path) -> None:
    _schedule(library, delivery="email", folder=None, recipients=["staff@example.cn"])
    assert deliver_due(library, WEDNESDAY_LATE) == []  # no SMTP relay configured
    assert _deliveries(library) == []
    sink = Sink()
    controller, port = start_smtp(sink)
    try:
        library.config = replace(library.config, smtp_host="127.0.0.1", smtp_port=port)
        assert [d.period for d in deliver_due(library, WEDNESDAY_LATE)] == ["2026-W49"]
    finally:
        controller.stop()


class AttachmentSink(Sink):
    def __init__(self) -> None:
        super().__init__()
        self.raw: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append((list(envelope.rcpt_tos), envelope.original_content or b""))
        return "250 OK: queued"


def test_an_email_schedule_sends_the_file_to_every_staff_address_once(library: Lector) -> None:
    sink = AttachmentSink()
    controller, port = start_smtp(sink)
    try:
        library.config = replace(library.config, smtp_host="127.0.0.1", smtp_port=port)
        _schedule(library, delivery="email", folder=None, format="xlsx",
                  recipients=["a@example.cn", "b@example.cn"])
        (done,) = deliver_due(library, WEDNESDAY_LATE)
        assert deliver_due(library, WEDNESDAY_LATE) == []
    finally:
        controller.stop()
    assert len(sink.raw) == 1
    rcpts, raw = sink.raw[0]
    assert rcpts == ["a@example.cn", "b@example.cn"]
    msg = message_from_bytes(raw, policy=policy.default)
    assert "每周读者" in str(msg["Subject"]) and "2026-W49" in str(msg["Subject"])
    (attachment,) = list(msg.iter_attachments())  # type: ignore[attr-defined]
    assert attachment.get_filename() == done.file_name
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert rows[1][:2] == ["A100", "张三"]
    assert "log position" in msg.get_body(("plain",)).get_content()


def test_a_folder_resolving_outside_the_base_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "link").symlink_to(tmp_path)
    assert folder_for(base, "ok/inner") == (base / "ok" / "inner").resolve()
    with pytest.raises(FolderEscape):
        folder_for(base, "link/..")
    with pytest.raises(FolderEscape):
        folder_for(base, "link/elsewhere")


def test_the_schedule_list_rebuilt_from_the_log_equals_the_incremental_one(
        library: Lector) -> None:
    sid = _schedule(library)
    _schedule(library, name="月度", cadence="monthly", weekday=None, monthday=1)
    deliver_due(library, WEDNESDAY_LATE)
    change_schedule(library.ports, LIBRARIAN, sid, {**WEEKLY, "name": "改名"}, list(KINDS))
    projection = by_name("export_schedules", library.config.timezone)
    catch_up(library.engine, library.store, projection)
    with library.engine.connect() as conn:
        before = list_schedules(conn, include_removed=True)
        before_d = [tuple(r) for r in conn.execute(select(deliveries).order_by("schedule_id"))]
    rebuild(library.engine, library.store, projection)
    with library.engine.connect() as conn:
        assert list_schedules(conn, include_removed=True) == before
        assert [tuple(r) for r in conn.execute(select(deliveries).order_by("schedule_id"))] \
            == before_d
        assert checkpoint(conn, "export_schedules") == library.store.last_position()
    assert [r["name"] for r in before] == ["改名", "月度"]
    assert before[0]["last_period"] == "2026-W49" and before[0]["deliveries"] == 1


def test_the_embedded_scheduler_delivers_a_due_schedule_in_process(config: Config) -> None:
    from tests.integration.notices_harness import Clock
    from workers.embedded import EmbeddedScheduler

    clock = Clock(WEDNESDAY_LATE)
    lector = bootstrap(config, clock=clock)
    try:
        register(lector.ports, "A100", "张三", "zh-CN", None)
        sid = _schedule(lector, kind="catalogue", folder="")
        scheduler = EmbeddedScheduler(lector)
        assert "exports-scheduled" in scheduler.run_due(WEDNESDAY_LATE)
        assert [(d.schedule_id, d.period_key) for d in _deliveries(lector)] == [
            (sid, "2026-W49")]
        scheduler.last_run.clear()  # run every entry again at once: still one delivery
        scheduler.run_due(WEDNESDAY_LATE)
        assert len(_deliveries(lector)) == 1
        assert [p.name for p in lector.config.export_base.iterdir()] == [
            _deliveries(lector)[0].file_name]
    finally:
        lector.dispose()


def test_two_schedulers_racing_send_each_period_by_email_exactly_once(
        config: Config, library: Lector) -> None:
    sink = AttachmentSink()
    controller, port = start_smtp(sink)
    mailing = replace(config, smtp_host="127.0.0.1", smtp_port=port)
    library.config = mailing
    sids = {_schedule(library, delivery="email", folder=None, recipients=[f"s{n}@example.cn"])
            for n in range(3)}
    other = bootstrap(mailing)
    barrier = threading.Barrier(2)

    def run(root: Lector) -> None:
        barrier.wait()
        deliver_due(root, WEDNESDAY_LATE)

    try:
        threads = [threading.Thread(target=run, args=(root,)) for root in (library, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()
        controller.stop()
    assert sorted(r[0][0] for r in sink.raw) == ["s0@example.cn", "s1@example.cn",
                                                 "s2@example.cn"]
    assert sorted(d.schedule_id for d in _deliveries(library)) == sorted(sids)
