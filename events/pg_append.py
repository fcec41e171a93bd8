"""The PostgreSQL append in one statement: marker, events, stream links, idempotency key.

With the connection's BEGIN and COMMIT that is three round trips. The statement's text never
changes (the rows travel as one JSON parameter), so psycopg prepares it once per connection
and SQLAlchemy compiles nothing. No ``max(version)`` read: the callers pin every stream's
expected version, the new versions follow from it, and the primary key of
``event_streams`` refuses a concurrent writer (mapped to ConcurrencyError by the store).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from events.pg_log import MARK_CTE, SEQUENCE

# The store's append lock (see SqlEventStore.lock_for_append) in shared mode: appends never
# wait for each other, only for a caller holding it exclusively.
APPEND_LOCK_ID = 0x4C4543544F52  # "LECTOR"

_SQL = f"""
WITH {MARK_CTE},
shared AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared({APPEND_LOCK_ID}) AS held),
ins AS (
    INSERT INTO events (position, event_id, stream_id, version, type, schema_version, data,
                        meta, recorded_at)
    SELECT nextval('{SEQUENCE}'), r.event_id, r.stream_id, r.version, r.type,
           r.schema_version, r.data, r.meta, %(now)s::timestamptz
      FROM shared, mark,
           json_to_recordset(%(rows)s::json) AS r(n int, event_id text, stream_id text,
                                                  version int, type text,
                                                  schema_version int, data json, meta json)
     WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.key = %(key)s::text)
       AND NOT EXISTS (
           SELECT 1 FROM json_to_recordset(%(expect)s::json) AS x(stream_id text, version int)
            WHERE NOT EXISTS (SELECT 1 FROM event_streams es
                               WHERE es.stream_id = x.stream_id AND es.version = x.version))
     ORDER BY r.n
    RETURNING position, event_id
),
links AS (
    INSERT INTO event_streams (stream_id, version, position)
    SELECT l.stream_id, l.version, ins.position
      FROM ins JOIN json_to_recordset(%(links)s::json)
                    AS l(event_id text, stream_id text, version int)
                 ON l.event_id = ins.event_id
),
kept AS (
    INSERT INTO idempotency_keys (key, positions, stream_versions, result, recorded_at,
                                  fingerprint)
    SELECT %(key)s::text, (SELECT json_agg(position ORDER BY position) FROM ins),
           %(versions)s::json, %(result)s::json, %(now)s::timestamptz, %(fingerprint)s::text
     WHERE %(key)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM ins)
)
SELECT position, event_id FROM ins"""


def insert_all(
    conn: Connection, rows: Sequence[Mapping[str, Any]], links: Sequence[Mapping[str, Any]],
    expected: Mapping[str, int], versions: Mapping[str, int], key: str | None,
    result: Mapping[str, Any] | None, fingerprint: str | None, now: datetime,
) -> list[int] | None:
    """Insert the events, their stream links and the idempotency key in one statement; the
    positions in the order of ``rows``, or None if nothing was written (the key was already
    used, or a stream is not at its expected version)."""
    params = {
        "rows": json.dumps([{"n": n, **r} for n, r in enumerate(rows)]),
        "links": json.dumps(list(links)),
        "expect": json.dumps([{"stream_id": s, "version": v}
                              for s, v in expected.items() if v > 0]),
        "key": key, "versions": json.dumps(dict(versions)),
        "result": json.dumps(dict(result)) if result is not None else None,
        "fingerprint": fingerprint, "now": now,
    }
    by_id: dict[str, int] = {
        str(event_id): int(position)
        for position, event_id in conn.exec_driver_sql(_SQL, params).all()
    }
    if not by_id:
        return None
    return [by_id[r["event_id"]] for r in rows]
