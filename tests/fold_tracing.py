"""`celery -A tests.fold_tracing worker`: the real worker app, plus a trace of every fold.

The trace watches the SQL a runner sends, nothing in Lector's code changes: a transaction
that takes projection locks (``pg_advisory_xact_lock``) is one fold of those projections,
from the moment the lock statement returns (every lock held) to the moment before COMMIT
(every lock still held). One JSON line per fold goes to LECTOR_TEST_FOLD_TRACE, appended
with one write each, so several worker processes can share the file.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, event

from projections.registry import all_projections
from service.config import DEFAULT_TIMEZONE
from workers.main import celery

TRACE_ENV = "LECTOR_TEST_FOLD_TRACE"
LOCK_KEYS = {zlib.crc32(p.name.encode()): p.name for p in all_projections(DEFAULT_TIMEZONE)}


def _values(parameters: Any) -> list[Any]:
    if isinstance(parameters, Mapping):
        return list(parameters.values())
    return list(parameters or ())


@event.listens_for(Engine, "after_cursor_execute")
def _watch(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
           executemany: bool) -> None:
    # Projection locks (pg_advisory_xact_lock, or its _shared form), not shard claims (_try_).
    if "pg_advisory_xact_lock" in statement:
        names = [LOCK_KEYS[v] for v in _values(parameters) if v in LOCK_KEYS]
        conn.info["fold"] = {"names": names, "start": time.monotonic_ns(), "moved": False}
    elif "fold" in conn.info and statement.lstrip().upper().startswith(
            "UPDATE PROJECTION_CHECKPOINTS"):
        conn.info["fold"]["moved"] = True


@event.listens_for(Engine, "commit")
def _before_commit(conn: Connection) -> None:
    fold = conn.info.pop("fold", None)
    if fold is None:
        return
    line = json.dumps({**fold, "end": time.monotonic_ns(), "pid": os.getpid(),
                       "worker": os.getppid()}) + "\n"
    fd = os.open(os.environ[TRACE_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


@event.listens_for(Engine, "rollback")
def _rolled_back(conn: Connection) -> None:
    conn.info.pop("fold", None)


__all__ = ["celery"]
