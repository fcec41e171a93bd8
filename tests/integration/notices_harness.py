"""Shared pieces of the notice tests: an aiosmtpd sink, a movable clock and a tiny library."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from email import message_from_bytes, policy
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from service.application import catalogue, circulation, readers
from service.application.context import Actor, Ports, Principal

DESK = Actor(Principal("staff", "desk1", "librarian"), "desk")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Mail:
    """One message as the SMTP server received it."""

    to: str
    subject: str
    message_id: str
    key: str
    text: str
    html: str


class Sink:
    """aiosmtpd handler keeping every accepted message (thread-safe)."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.delay = 0.0  # seconds before accepting each message (a slow relay)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        mail = Mail(to=str(envelope.rcpt_tos[0]), subject=str(msg["Subject"]),
                    message_id=str(msg["Message-ID"]), key=str(msg["X-Lector-Notice-Key"]),
                    text=text.get_content() if text else "", html=html.get_content() if html else "")
        with self._lock:
            self.mails.append(mail)
        return "250 OK: queued"

    def snapshot(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Mail]:
        """Wait until at least ``count`` messages arrived (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.snapshot()) < count:
            time.sleep(0.05)
        return self.snapshot()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_smtp(sink: Sink, port: int | None = None) -> tuple[Controller, int]:
    """A real SMTP server on loopback delivering into ``sink``."""
    port = port or free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@dataclass
class Clock:
    """A movable clock for Ports (bootstrap(clock=...))."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def to_day(self, day: date, hour: int = 9) -> None:
        """Move to ``day`` at ``hour`` o'clock, library time."""
        self.now = datetime.combine(day, dtime(hour), SHANGHAI).astimezone(UTC)


def register(ports: Ports, card: str, name: str, language: str, email: str | None,
             channels: tuple[str, ...] = ("email",)) -> str:
    cmd = readers.RegisterReader(card_number=card, name=name, category="adult",
                                 language=language, email=email, notice_channels=channels)
    return str(readers.register_reader(ports, DESK, cmd, None).result["reader_id"])


def title_with_copies(ports: Ports, title: str, barcodes: list[str]) -> str:
    title_id = str(catalogue.catalogue_title(ports, DESK, catalogue.CatalogueTitle(title=title),
                                             None).result["title_id"])
    for barcode in barcodes:
        catalogue.add_copy(ports, DESK, catalogue.AddCopy(barcode, title_id, "main"), None)
    return title_id


def lend(ports: Ports, card: str, barcode: str) -> date:
    """Check a copy out; return its due date."""
    result = circulation.check_out(ports, DESK, card, barcode, "main", None).result
    return date.fromisoformat(str(result["due_on"]))


def give_back(ports: Ports, barcode: str) -> dict[str, Any]:
    return dict(circulation.check_in(ports, DESK, barcode, "main", None).result)


def wait_until(check: Callable[[], bool], timeout: float = 30.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def days(n: int) -> timedelta:
    return timedelta(days=n)


class WorkerProcess:
    """A real `celery -A workers.main worker` subprocess in its own process group."""

    def __init__(self, env: dict[str, str], queue: str, log_path: Any,
                 concurrency: int = 2) -> None:
        self.env, self.queue, self.log_path, self.concurrency = env, queue, log_path, concurrency
        self.proc: Any = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:
        import os
        import subprocess
        import sys
        from pathlib import Path

        self.starts += 1
        celery = str(Path(sys.executable).parent / "celery")
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 (lives with the process)
        log.write(f"\n=== start {self.starts} ===\n")
        log.flush()
        self.proc = subprocess.Popen(
            [celery, "-A", "workers.main", "worker", "-Q", self.queue, "--pool=threads",
             f"--concurrency={self.concurrency}", "--loglevel=INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"{self.queue}-{self.starts}@%h"],
            env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=str(Path(__file__).resolve().parents[2]))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = Path(self.log_path).read_text(encoding="utf-8")
            if text.count(" ready.") >= self.starts:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{text[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError("worker did not become ready")

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no acks."""
        import os
        import signal

        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
