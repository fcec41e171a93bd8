"""Exactly one beat schedules: two real `celery beat` processes on one Redis (celery-redbeat).

The second beat waits on the Redis lock and sends nothing; when the first is killed with
SIGKILL it takes over once the lock has expired, and a beat that stops normally hands over
at once. Every send is counted twice: in the beat's own log and in the Redis queue.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.worker_process import REPO, wait_until

pytestmark = pytest.mark.redis

LOCK_TIMEOUT_S, MAX_INTERVAL_S, SAFETY_NET_S = 3, 0.5, 0.5
SENT = "Scheduler: Sending due task"
SAFETY_NET_TASK = "projections.catch_up_shards"  # with Redis the net fans out to shards


class BeatProcess:
    """One `celery -A workers.main beat` OS process with its own log file."""

    def __init__(self, name: str, redis_url: str, folder: Path) -> None:
        self.log_path = folder / f"{name}.log"
        env = {**os.environ, "REDIS_URL": redis_url, "LECTOR_SECRET_KEY": "beat-test-secret",
               "DATABASE_URL": f"sqlite:///{folder / 'unused.db'}",
               "LECTOR_INSTANCE_DIR": str(folder / f"{name}-instance"),
               "LECTOR_CATCH_UP_INTERVAL_S": str(SAFETY_NET_S),
               "LECTOR_BEAT_LOCK_TIMEOUT_S": str(LOCK_TIMEOUT_S),
               "LECTOR_BEAT_MAX_INTERVAL_S": str(MAX_INTERVAL_S)}
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.main", "beat", "--loglevel=INFO",
                 "--schedule", str(folder / f"{name}-schedule")],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sent(self, task: str = "") -> int:
        """Due tasks this beat sent (of ``task`` only, when given)."""
        return sum(SENT in line and f"({task}" in line for line in self.log().splitlines())

    def holds_lock(self) -> bool:
        return "beat: Acquired lock" in self.log()

    def started(self) -> bool:
        return "beat" in self.log() and "is starting" in self.log()

    def signal(self, sig: signal.Signals) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)



@pytest.fixture
def beats(redis_url: str, tmp_path: Path) -> Iterator[list[BeatProcess]]:
    started: list[BeatProcess] = []
    yield started
    for beat in started:
        beat.kill()


def start(beats: list[BeatProcess], name: str, redis_url: str, folder: Path) -> BeatProcess:
    beat = BeatProcess(name, redis_url, folder)
    beats.append(beat)
    return beat


def queued_safety_nets(redis_url: str) -> int:
    """Safety-net catch-ups waiting in the default queue (no worker runs here)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return sum(json.loads(m)["headers"]["task"] == SAFETY_NET_TASK
                   for m in client.lrange("celery", 0, -1))
    finally:
        client.close()


def active_and_passive(first: BeatProcess, second: BeatProcess) -> tuple[BeatProcess, BeatProcess]:
    wait_until(lambda: first.holds_lock() or second.holds_lock(), 30, "a beat to take the lock")
    return (first, second) if first.holds_lock() else (second, first)


def test_a_second_beat_sends_nothing_while_the_first_runs_and_the_queue_holds_one_cadence(
    beats: list[BeatProcess], redis_url: str, tmp_path: Path,
) -> None:
    first = start(beats, "first", redis_url, tmp_path)
    wait_until(lambda: first.sent() >= 1, 30, "the first beat to send")
    second = start(beats, "second", redis_url, tmp_path)
    wait_until(second.started, 30, "the second beat to start")
    before = first.sent()
    time.sleep(4)

    assert second.sent() == 0 and not second.holds_lock()
    assert first.sent() - before >= 4  # the active one kept its cadence meanwhile
    second.kill()  # then stop the first, so neither log nor queue moves while they are compared
    first.signal(signal.SIGTERM)
    first.proc.wait(timeout=30)
    assert second.sent() == 0
    # What reached the queue is exactly what the first beat sent, each once.
    assert queued_safety_nets(redis_url) == first.sent(SAFETY_NET_TASK) >= 4


def test_when_the_active_beat_is_killed_the_other_takes_over_within_the_lock_timeout(
    beats: list[BeatProcess], redis_url: str, tmp_path: Path,
) -> None:
    first, second = start(beats, "first", redis_url, tmp_path), start(beats, "second", redis_url,
                                                                        tmp_path)
    active, passive = active_and_passive(first, second)
    wait_until(lambda: active.sent() >= 2, 30, "the active beat to send")
    assert passive.sent() == 0

    active.kill()  # SIGKILL: no chance to release the lock
    killed_at = time.monotonic()
    wait_until(lambda: passive.sent() >= 1, LOCK_TIMEOUT_S + MAX_INTERVAL_S + 5,
               "the passive beat to take over")
    took = time.monotonic() - killed_at
    assert passive.holds_lock()
    assert took <= LOCK_TIMEOUT_S + MAX_INTERVAL_S + 2, took
    wait_until(lambda: passive.sent() >= 3, 10, "the new active beat to keep the cadence")


def test_a_beat_stopped_normally_hands_the_lock_over_at_once(
    beats: list[BeatProcess], redis_url: str, tmp_path: Path,
) -> None:
    first, second = start(beats, "first", redis_url, tmp_path), start(beats, "second", redis_url,
                                                                        tmp_path)
    active, passive = active_and_passive(first, second)
    wait_until(lambda: active.sent() >= 1, 30, "the active beat to send")
    active.signal(signal.SIGTERM)
    active.proc.wait(timeout=30)
    stopped_at = time.monotonic()
    wait_until(passive.holds_lock, LOCK_TIMEOUT_S + 5, "the passive beat to take the lock")
    assert time.monotonic() - stopped_at < LOCK_TIMEOUT_S  # released, not expired
    assert "beat: Releasing lock" in active.log()
