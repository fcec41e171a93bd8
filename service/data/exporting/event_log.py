"""The event log itself as JSON Lines: one event per line, in position order, streamed.

For audits and for moving data out. Personal fields are written either as stored
(``encrypted``: the AES-GCM ciphertext under the reader's key, which only this installation's
key table can open) or ``decrypted`` (plain text, admin only). Either way an erased reader
stays erased: their key is gone, so their fields are unreadable ciphertext in the first form
and null (named in ``erased_fields``) in the second.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from events import pii
from events.schema import events, pii_keys
from service.domain.errors import Invalid

PII_MODES = ("encrypted", "decrypted")
MEDIA_TYPE = "application/x-ndjson"
_CHUNK = 1000


@dataclass
class EventLogExport:
    """An open read of positions (``after``, ``until``]; ``until`` is in the file name."""

    after: int
    until: int
    decrypt: bool
    conn: Connection

    def close(self) -> None:
        self.conn.close()

    def stream(self) -> Iterator[bytes]:
        """One JSON object per line (UTF-8), about 64 KiB per chunk; closes when done."""
        try:
            query = (select(events).where(events.c.position > self.after,
                                          events.c.position <= self.until)
                     .order_by(events.c.position))
            result = self.conn.execution_options(stream_results=True,
                                                 yield_per=_CHUNK).execute(query)
            for rows in result.partitions():
                keys = _keys(self.conn, rows) if self.decrypt else {}
                yield "".join(_line(row, keys, self.decrypt) for row in rows).encode("utf-8")
        finally:
            self.close()


def _keys(conn: Connection, rows: Any) -> dict[str, bytes]:
    subjects: set[str] = set()
    for row in rows:
        subjects |= pii.encrypted_subjects(row.data)
    if not subjects:
        return {}
    found = conn.execute(select(pii_keys.c.subject, pii_keys.c.key)
                         .where(pii_keys.c.subject.in_(sorted(subjects)))).all()
    return {s: bytes(k) for s, k in found if bytes(k) != pii.TOMBSTONE}


def _line(row: Any, keys: dict[str, bytes], decrypt: bool) -> str:
    data = dict(row.data)
    record: dict[str, Any] = {
        "position": row.position, "event_id": row.event_id, "stream_id": row.stream_id,
        "version": row.version, "type": row.type, "schema_version": row.schema_version,
        "recorded_at": _iso(row.recorded_at), "meta": row.meta, "data": data,
    }
    if decrypt:
        erased = pii.decrypt_fields(data, keys)
        if erased:
            record["erased_fields"] = sorted(erased)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _iso(moment: Any) -> str:
    from datetime import UTC

    if moment.tzinfo is None:  # SQLite drops the zone; the store only writes UTC
        moment = moment.replace(tzinfo=UTC)
    return str(moment.astimezone(UTC).isoformat())


def check_range(after: int, until: int | None, mode: str) -> None:
    """Refuse a backwards range or an unknown personal-data mode, with per-field messages."""
    problems: dict[str, list[str]] = {}
    if after < 0:
        problems["from"] = ["Must be 0 or more. / 不能小于 0。"]
    if until is not None and until < after:
        problems["to"] = ["Must not be below 'from'. / 不能小于 from。"]
    if mode not in PII_MODES:
        problems["pii"] = [f"One of {', '.join(PII_MODES)}. / 只能是 {'、'.join(PII_MODES)}。"]
    if problems:
        raise Invalid("invalid_event_range", "The event range is not valid.",
                      "事件范围无效。", fields=problems)


def open_event_log(engine: Engine, after: int = 0, until: int | None = None,
                   mode: str = "encrypted") -> EventLogExport:
    """Open one snapshot and fix the range's end (default: the last event committed)."""
    check_range(after, until, mode)
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        conn.begin()
        from sqlalchemy import func

        last = int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0))) or 0)
    except BaseException:
        conn.close()
        raise
    end = last if until is None else min(until, last)
    return EventLogExport(after, max(end, after), mode == "decrypted", conn)
