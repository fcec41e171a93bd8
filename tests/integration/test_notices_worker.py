"""Notices through a real Celery worker subprocess on Redis and PostgreSQL, into aiosmtpd.

Needs LECTOR_TEST_DATABASE_URL and LECTOR_TEST_REDIS_URL: skipped when unset, failed when set
but unreachable. The worker consumes a queue of its own in a leased Redis database
(tests/worker_process.RedisLease), so other tests' workers never see these tasks.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from events.schema import events
from projections.notice_outbox import list_notices
from projections.runner import catch_up
from service.adapters.dispatch import InProcessCatchUp
from service.application import circulation, settings
from service.bootstrap import Lector, bootstrap, producer_celery
from service.config import Config
from service.domain.library.policy import default_matrix
from tests.integration.notices_harness import (
    DESK,
    SHANGHAI,
    Clock,
    Sink,
    WorkerProcess,
    days,
    free_port,
    give_back,
    lend,
    register,
    start_smtp,
    title_with_copies,
    wait_until,
)
from tests.worker_process import RedisLease
from workers.notices.leases import attempts_of

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SENDER = "Chengdong Library <noreply@lib.example.cn>"


def _redis_lease() -> RedisLease:
    raw = os.environ.get("LECTOR_TEST_REDIS_URL")
    if not raw:
        pytest.skip("LECTOR_TEST_REDIS_URL is not set (CI sets it; this never skips there)")
    try:
        return RedisLease(raw)
    except redis.RedisError as exc:  # configured but not answering: a failure, never a skip
        pytest.fail(f"Redis at LECTOR_TEST_REDIS_URL does not answer: {exc!r}")


class Stack:
    """The test process's Lector (projections fold in-process) plus worker and SMTP control."""

    def __init__(self, lector: Lector, clock: Clock, env: dict[str, str], tmp: Any) -> None:
        self.lector, self.clock, self.env, self.tmp = lector, clock, env, tmp
        self.producer = producer_celery(lector.config)
        self.workers: list[WorkerProcess] = []
        self.sink = Sink()
        self.smtp: Any = None

    def start_smtp(self, port: int | None = None) -> int:
        self.smtp, port = start_smtp(self.sink, port)
        return port

    def worker(self, concurrency: int = 2, **env: str) -> WorkerProcess:
        worker = WorkerProcess({**self.env, **env}, self.queue, self.tmp / "worker.log",
                               concurrency)
        worker.start()
        self.workers.append(worker)
        return worker

    @property
    def queue(self) -> str:
        return self.lector.config.notice_queue or "celery"

    def send(self, task: str, **kwargs: Any) -> None:
        self.producer.send_task(task, kwargs=kwargs, queue=self.queue)

    def outbox(self, kind: str | None = None) -> list[dict[str, Any]]:
        catch_up(self.lector.engine, self.lector.store,
                 next(p for p in self.lector.projections if p.name == "notice_outbox"))
        with self.lector.engine.connect() as conn:
            return list_notices(conn, kind=kind, limit=10_000)[0]

    def pending(self) -> int:
        return sum(1 for row in self.outbox() if row["status"] == "pending")

    def run_and_wait(self, task: str, timeout: float = 60.0, **kwargs: Any) -> None:
        """Send a task and wait until the worker reports it succeeded."""
        done = self._succeeded(task)
        self.send(task, **kwargs)
        assert wait_until(lambda: self._succeeded(task) > done, timeout), self._tail()

    def _succeeded(self, task: str) -> int:
        path = self.tmp / "worker.log"
        if not path.exists():
            return 0
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines()
                   if f"Task {task}[" in line and "succeeded" in line)

    def _tail(self) -> str:
        path = self.tmp / "worker.log"
        return path.read_text(encoding="utf-8")[-4000:] if path.exists() else ""

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until no notice is pending any more."""
        assert wait_until(lambda: self.pending() == 0, timeout), self._tail()

    def event_count(self, type_: str) -> int:
        with self.lector.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(events)
                                   .where(events.c.type == type_)) or 0)

    def sent_events(self) -> dict[str, int]:
        with self.lector.engine.connect() as conn:
            rows = conn.execute(select(events.c.stream_id, func.count())
                                .where(events.c.type == "notice.sent")
                                .group_by(events.c.stream_id)).all()
        return {stream: int(n) for stream, n in rows}


@pytest.fixture
def stack(postgres_url: str, tmp_path: Any) -> Iterator[Stack]:
    lease = _redis_lease()
    redis_url = lease.url
    port = free_port()
    queue = f"notices-test-{uuid.uuid4().hex[:8]}"
    config = Config(database_url=postgres_url, redis_url=redis_url, secret_key="t",
                    instance_dir=tmp_path, testing=True, smtp_host="127.0.0.1", smtp_port=port,
                    smtp_sender=SENDER, notice_queue=queue)
    clock = Clock()
    lector = bootstrap(config, after_commit=lambda _position: None, clock=clock)
    lector.ports.after_commit = InProcessCatchUp(lector.engine, lector.store, lector.projections)
    env = {
        "DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "LECTOR_SECRET_KEY": "t",
        "LECTOR_INSTANCE_DIR": str(tmp_path), "LECTOR_SMTP_HOST": "127.0.0.1",
        "LECTOR_SMTP_PORT": str(port), "LECTOR_SMTP_SENDER": SENDER,
        "LECTOR_NOTICE_QUEUE": queue, "LECTOR_NOTICE_REQUEUE_S": "2",
        "LECTOR_NOTICE_CLAIM_TTL_S": "10", "LECTOR_NOTICE_RETRY_BASE_S": "0.5",
        "LECTOR_NOTICE_RETRY_CAP_S": "2", "LECTOR_NOTICE_MAX_RETRIES": "3",
        "LECTOR_LIBRARY_NAME": "Chengdong District Library",
    }
    box = Stack(lector, clock, env, tmp_path)
    box.smtp_port = port  # type: ignore[attr-defined]
    yield box
    for worker in box.workers:
        worker.stop()
    if box.smtp is not None:
        box.smtp.stop()
    lector.dispose()
    lease.release()


def _overdue_loans(stack: Stack, n: int, prefix: str = "R") -> Any:
    ports = stack.lector.ports
    title_with_copies(ports, "The Three-Body Problem", [f"{prefix}B{i}" for i in range(n)])
    due = None
    for i in range(n):
        register(ports, f"{prefix}{i}", f"Reader {i}", "en", f"{prefix.lower()}{i}@example.org")
        due = lend(ports, f"{prefix}{i}", f"{prefix}B{i}")
    return due


def _at(day: Any) -> str:
    return datetime.combine(day, time(9), SHANGHAI).astimezone(UTC).isoformat()


def test_a_return_that_traps_a_copy_produces_exactly_one_reservation_ready_mail(
        stack: Stack) -> None:
    stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
    ports = stack.lector.ports
    register(ports, "C1", "王芳", "zh-CN", "wang@example.cn")
    waiting = register(ports, "C2", "李晓明", "zh-CN", "li@example.cn")
    register(ports, "C3", "Emily Carter", "en", "emily@example.org")
    title_id = title_with_copies(ports, "三体", ["B1"])
    lend(ports, "C1", "B1")
    circulation.place_hold(ports, DESK, waiting, title_id, "main", None)
    # The worker's notice clock is the test's (a trap's moment is checked against it).
    stack.worker(concurrency=4, LECTOR_FAKE_NOW=stack.clock.now.isoformat())

    give_back(ports, "B1")
    for _ in range(3):  # three dispatchers at once: two beats and a manual run
        stack.send("notices.dispatch")
    stack.settle()
    stack.run_and_wait("notices.dispatch")

    mails = stack.sink.wait_for(1)
    assert [m.to for m in mails] == ["li@example.cn"]
    assert mails[0].key.startswith("reservation_ready:")
    assert "预约" in mails[0].subject and "三体" in mails[0].text
    assert stack.sent_events() == {f"notice-{mails[0].key}": 1}


def test_overdue_scans_at_days_1_7_14_send_three_per_loan_and_none_after_return_or_renewal(
        stack: Stack) -> None:
    stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
    ports = stack.lector.ports
    # This library lets readers renew overdue loans (the fine so far is charged at renewal).
    settings.change_policy(ports, DESK, {**default_matrix().to_dict(), "renew_overdue": True},
                           None)
    due = _overdue_loans(stack, 3, "D")  # D0 keeps the book, D1 returns it, D2 renews
    stack.worker(concurrency=2, LECTOR_NOTICE_DUE_SOON_DAYS="0")
    for offset in (1, 2, 7, 14, 15):
        stack.clock.to_day(due + days(offset))
        if offset == 2:
            give_back(ports, "DB1")
            circulation.renew(ports, DESK, "DB2", None)
        stack.run_and_wait("notices.scan", now=_at(due + days(offset)))
        stack.settle()

    overdue: dict[str, list[str]] = {}
    for mail in stack.sink.snapshot():
        if mail.key.startswith("overdue:"):
            overdue.setdefault(mail.to, []).append(mail.key.rsplit(":", 1)[1])
    assert overdue == {"d0@example.org": ["+1", "+7", "+14"], "d1@example.org": ["+1"],
                       "d2@example.org": ["+1"]}
    assert all(n == 1 for n in stack.sent_events().values())


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight(
        stack: Stack) -> None:
    n = 40
    due = _overdue_loans(stack, n, "K")
    stack.sink.delay = 0.1
    stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
    worker = stack.worker(concurrency=1, LECTOR_FAKE_NOW=_at(due + days(1)))
    stack.send("notices.scan")  # as beat sends it: no arguments, the (fake) clock decides
    assert wait_until(lambda: len(stack.sink.snapshot()) >= n // 3, 60)
    worker.kill()
    at_kill = len(stack.sink.snapshot())
    assert at_kill < n, "the batch finished before the kill: make the sink slower"

    stack.worker(concurrency=1, LECTOR_FAKE_NOW=_at(due + days(1)))

    def all_sent() -> bool:
        stack.send("notices.dispatch")
        return stack.pending() == 0 and len(stack.outbox("overdue")) == n

    assert wait_until(all_sent, 120, step=1.0)
    mails = stack.sink.snapshot()
    ids: dict[str, set[str]] = {}
    for mail in mails:
        ids.setdefault(mail.key, set()).add(mail.message_id)
    assert len(ids) == n  # every due notice reached the sink
    assert all(len(v) == 1 for v in ids.values())  # never two Message-IDs for one key
    assert len(mails) - n <= 1  # at most the one in flight at the kill arrived twice
    assert sorted(stack.sent_events().values()) == [1] * n


def test_two_scans_at_once_schedule_and_send_each_notice_once(stack: Stack) -> None:
    stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
    n = 12
    due = _overdue_loans(stack, n, "S")
    stack.worker(concurrency=4)
    now = _at(due + days(7))
    before = stack._succeeded("notices.scan")
    stack.send("notices.scan", now=now)
    stack.send("notices.scan", now=now)
    assert wait_until(lambda: stack._succeeded("notices.scan") >= before + 2, 60)
    stack.settle()

    keys = [m.key for m in stack.sink.snapshot()]
    assert len(keys) == n and len(set(keys)) == n
    with stack.lector.engine.connect() as conn:
        scheduled = conn.scalar(select(func.count()).select_from(events)
                                .where(events.c.type == "notice.scheduled"))
    assert scheduled == n


class Beat:
    """Sends notices.dispatch every ``every`` seconds, as beat does, while in a with-block."""

    def __init__(self, stack: Stack, every: float = 1.0) -> None:
        self.stack, self.every = stack, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            self.stack.send("notices.dispatch")

    def __enter__(self) -> Beat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def test_with_smtp_down_notices_wait_and_all_go_out_once_when_it_returns(stack: Stack) -> None:
    n = 5
    due = _overdue_loans(stack, n, "W")
    stack.worker(concurrency=2, LECTOR_NOTICE_MAX_RETRIES="1000")
    with Beat(stack):  # retries are handed out by the dispatcher once their back-off passed
        stack.run_and_wait("notices.scan", now=_at(due + days(1)))
        keys = [r["notice_key"] for r in stack.outbox("overdue")]
        assert wait_until(lambda: all(attempts_of(stack.lector.engine, k) >= 3 for k in keys),
                          60)
        assert {r["status"] for r in stack.outbox("overdue")} == {"pending"}
        assert stack.sink.snapshot() == []
        assert stack.event_count("notice.failed") == n  # tries are counted, not logged

        stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
        stack.settle(90)
    keys = [m.key for m in stack.sink.snapshot()]
    assert len(keys) == n and len(set(keys)) == n
    assert {r["status"] for r in stack.outbox("overdue")} == {"sent"}
    assert stack.event_count("notice.failed") == n


def test_with_smtp_down_for_good_each_notice_gives_up_after_the_cap_with_two_events(
        stack: Stack) -> None:
    n = 4
    due = _overdue_loans(stack, n, "G")
    stack.worker(concurrency=2)  # LECTOR_NOTICE_MAX_RETRIES=3: four tries, then give up
    with Beat(stack, every=0.5):
        stack.run_and_wait("notices.scan", now=_at(due + days(1)))
        assert wait_until(lambda: {r["status"] for r in stack.outbox("overdue")} == {"gave_up"},
                          90), stack._tail()
        rounds = stack._succeeded("notices.dispatch")
        # Dispatches go on (beat never stops) but nothing more reaches the log or a sender.
        assert wait_until(lambda: stack._succeeded("notices.dispatch") >= rounds + 6, 30)
        stack.start_smtp(stack.smtp_port)  # type: ignore[attr-defined]
        assert wait_until(lambda: stack._succeeded("notices.dispatch") >= rounds + 10, 30)
    assert stack.event_count("notice.failed") == n
    assert stack.event_count("notice.gave_up") == n
    assert {r["attempts"] for r in stack.outbox("overdue")} == {4}
    assert stack.sink.snapshot() == []  # gave up is final; staff may resend explicitly
    log = (stack.tmp / "worker.log").read_text(encoding="utf-8")
    assert "Retry in" not in log  # no Celery countdown retries: one line per state change
