"""Copy a whole event log, verbatim, from the in-memory store into an empty SQL store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, text

from events.engine import is_postgres, write_connection
from events.memory_store import MemoryEventStore
from events.pg_log import mark_in_flight
from events.schema import event_streams, events, pii_keys
from events.sqlalchemy_store import SqlEventStore

CHUNK = 2000


def copy_log(source: MemoryEventStore, engine: Engine) -> int:
    """Append every event of ``source`` (already encoded and encrypted) to an empty database.

    Rows keep their positions, stream versions, metadata and ciphertext, and the subjects'
    keys come along, so the SQL store reads back exactly what the memory store holds.
    """
    if SqlEventStore(engine).last_position() != 0:
        raise ValueError("copy_log only fills an empty event log")
    rows = source.raw_rows()
    entries = source.stream_entries()
    now = datetime.now(UTC)
    with write_connection(engine) as conn, conn.begin():
        if is_postgres(engine):
            mark_in_flight(conn)  # readers stay at 0 until the copy commits (events/pg_log.py)
        keys = [{"subject": s, "key": k, "created_at": now} for s, k in source.subject_keys().items()]
        if keys:
            conn.execute(insert(pii_keys), keys)
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(events), rows[start:start + CHUNK])
        links = [{"stream_id": s, "version": v, "position": p} for s, v, p in entries]
        for start in range(0, len(links), CHUNK):
            conn.execute(insert(event_streams), links[start:start + CHUNK])
        if is_postgres(engine) and rows:
            # Explicit positions leave the identity sequence behind; move it past them.
            conn.execute(text("SELECT setval(pg_get_serial_sequence('events', 'position'), "
                              "(SELECT max(position) FROM events))"))
    return len(rows)
