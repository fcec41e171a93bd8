"""How a pending notice key reaches a sender: a Celery task, or inline in embedded mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.bootstrap import Lector
from workers.notices.scanning import notice_now
from workers.notices.sending import deliver_notice

SEND_TASK = "notices.send"


def send_inline(lector: Lector, key: str) -> str:
    """Embedded mode: deliver now; a transient failure waits for a dispatch after its back-off."""
    return deliver_notice(lector, key, notice_now(lector)).status


def enqueuer(lector: Lector, celery: Any | None) -> Callable[[str], None]:
    """A function handing one key to a sender (by task name, so no import paths leak)."""
    if lector.config.embedded or celery is None:

        def inline(key: str) -> None:
            send_inline(lector, key)

        return inline
    queue = lector.config.notice_queue

    def enqueue(key: str) -> None:
        celery.send_task(SEND_TASK, args=[key], **({"queue": queue} if queue else {}))

    return enqueue
