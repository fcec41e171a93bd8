"""Real `celery -A workers.main worker` processes for tests, on a Redis database of their own."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis

REPO = Path(__file__).resolve().parents[1]
LEASE_KEY = "lector:test:redis-db-lease:{}"


def redis_test_url() -> str | None:
    """The Redis server tests may use (LECTOR_TEST_REDIS_URL), or None."""
    return os.environ.get("LECTOR_TEST_REDIS_URL") or None


class RedisLease:
    """Claims one free logical Redis database (1-15) so parallel test runs never share a queue.

    The claim is a key with an expiry in the configured database; an unreachable server
    raises here, so a configured but broken Redis fails the test instead of skipping it.
    A URL naming a database other than 0 pins the tests to that one database (a developer
    who was given one on a shared server): its claim is waited for, never another taken.
    """

    def __init__(self, base_url: str, ttl_s: int = 900, wait_s: float = 900) -> None:
        self.base_url = base_url
        self.admin = redis.Redis.from_url(base_url, socket_connect_timeout=5)
        self.admin.ping()
        self.token = uuid.uuid4().hex
        base_db = int(self.admin.connection_pool.connection_kwargs.get("db", 0))
        if base_db != 0:
            self.db = base_db
            wait_until(lambda: self.admin.set(LEASE_KEY.format(base_db), self.token, nx=True,
                                              ex=ttl_s), wait_s,
                       f"Redis database {base_db} to be free of another test", interval_s=0.2)
        else:
            for db in range(1, 16):
                if self.admin.set(LEASE_KEY.format(db), self.token, nx=True, ex=ttl_s):
                    self.db = db
                    break
            else:
                raise RuntimeError("every Redis test database is leased; is a run stuck?")
        self.url = _with_db(base_url, self.db)
        self.client = redis.Redis.from_url(self.url)
        self._empty()

    def _empty(self) -> None:
        """Every key of the leased database but a pinned database's own claim."""
        claim = LEASE_KEY.format(self.db).encode()
        for key in self.client.scan_iter(count=1000):
            if key != claim:
                self.client.delete(key)

    def release(self) -> None:
        """Empty the database and give it back (only if the lease is still ours)."""
        self._empty()
        self.client.close()
        if self.admin.get(LEASE_KEY.format(self.db)) == self.token.encode():
            self.admin.delete(LEASE_KEY.format(self.db))
        self.admin.close()


def _with_db(url: str, db: int) -> str:
    """The same server (and credentials), another logical database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


class WorkerProcess:
    """One `celery worker` OS process (prefork, one child) with its own log file."""

    def __init__(self, name: str, database_url: str, redis_url: str, folder: Path,
                 concurrency: int = 1, app: str = "workers.main",
                 env: dict[str, str] | None = None) -> None:
        self.name, self.folder, self.concurrency, self.app = name, folder, concurrency, app
        self.log_path = folder / f"{name}.log"
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "LECTOR_SECRET_KEY": "worker-test-secret",
            "LECTOR_INSTANCE_DIR": str(folder / f"{name}-instance"), **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout_s: float = 60) -> WorkerProcess:
        """Start the worker and wait until it consumes from the queue."""
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {self.starts} ===\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", self.app, "worker",
                 "-n", f"{self.name}-{uuid.uuid4().hex[:6]}@%h", "-c", str(self.concurrency),
                 "-P", "prefork", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes the child too
            )
        marker = f"=== start {self.starts} ==="
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.log().rpartition(marker)[2]
            if " ready." in text:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log()[-4000:]}")
            time.sleep(0.1)
        raise TimeoutError(f"worker {self.name} not ready:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        """kill -9 the worker and its pool child, mid-task if need be."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown (finish the current task), then make sure the group is gone."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tasks_succeeded(self) -> int:
        return self.log().count(" succeeded in ")


def wait_until(condition: Any, timeout_s: float, what: str, interval_s: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(interval_s)
