"""Embedded mode: the beat schedule run by a thread inside the one Lector process."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from service.bootstrap import Lector
from workers.celery_app import create_celery
from workers.schedule import beat_schedule

log = logging.getLogger(__name__)


class EmbeddedScheduler:
    """Runs each periodic task in-process when its schedule says it is due."""

    def __init__(self, lector: Lector, tick_s: float = 1.0) -> None:
        self.lector, self.tick_s = lector, tick_s
        self.celery = create_celery(lector.config, lector)  # its tasks use this Lector
        self.celery.loader.import_default_modules()
        self.entries = beat_schedule(lector.config)
        self.last_run: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Run every entry that is due; return the names that ran."""
        ran = []
        for name, entry in self.entries.items():
            sched: Any = entry["schedule"]
            sched.nowfun = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
            last = self.last_run.get(name)
            if last is not None and not sched.is_due(last).is_due:
                continue
            self.last_run[name] = now or datetime.now(UTC)
            try:
                self.celery.tasks[entry["task"]].apply(
                    args=entry.get("args", ()), kwargs=entry.get("kwargs", {})
                )
                ran.append(name)
            except Exception:  # one failing job must not stop the others
                log.exception("embedded task %s failed", name)
        return ran

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lector-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.run_due()
