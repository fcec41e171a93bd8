"""A reader's copy of everything the library holds about them (PIPL Art. 45), as plain JSON.

Built from the read models (profile, loans, history, holds, fines, feedback, notices) plus the
reader's own stream, decoded, so nothing the log knows about them is left out.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from events.fines import FinePaid
from events.streams import reader_stream
from projections.activities import reader_activities
from projections.current_loans import list_loans
from projections.feedback_inbox import list_feedback, list_suggestions
from projections.fines import balance, list_fines
from projections.hold_queue import list_holds
from projections.notice_outbox import list_notices
from projections.reader_profiles import get_reader
from projections.reading_history import keeps_history, list_history
from projections.surveys import reader_answers
from service.application.context import Ports
from service.application.history import describe
from service.application.readers import load_reader

PAGE = 100_000  # one person's rows: generous, never unbounded
PROFILE_OMITS = frozenset({"search_text"})  # derived from the fields shown beside it


def reader_export(ports: Ports, conn: Connection, reader_id: str, currency: str) -> dict[str, Any]:
    """Everything held about one reader (refuses unknown and erased readers)."""
    loaded = ports.store.load([reader_stream(reader_id)])
    load_reader(loaded, reader_id)
    profile = get_reader(conn, reader_id) or {}
    history, _total = list_history(conn, reader_id, 0, PAGE)
    notices, _count = list_notices(conn, reader_id=reader_id, limit=PAGE)
    payments = [
        {"payment_id": e.event.payment_id, "amount_fen": e.event.amount_fen,
         "paid_at": e.event.paid_at, "method": e.event.method,
         "allocations": e.event.allocations}
        for e in loaded.events if isinstance(e.event, FinePaid)
    ]
    return plain({
        "reader_id": reader_id,
        "exported_at": ports.clock(),
        "profile": {k: v for k, v in profile.items() if k not in PROFILE_OMITS},
        "loans": list_loans(conn, reader_id=reader_id, limit=PAGE),
        "history": {"kept": keeps_history(conn, reader_id), "items": history},
        "holds": list_holds(conn, reader_id=reader_id, limit=PAGE),
        "fines": {"balance_fen": balance(conn, reader_id), "currency": currency,
                  "items": list_fines(conn, reader_id)},
        "payments": payments,
        "feedback": list_feedback(conn, reader_id=reader_id, limit=PAGE),
        "suggestions": list_suggestions(conn, reader_id=reader_id, limit=PAGE),
        "notices": notices,
        "activities": reader_activities(conn, reader_id, limit=PAGE),
        "survey_answers": reader_answers(conn, reader_id),
        "events": [describe(e) for e in loaded.events],
    })


def plain(value: Any) -> Any:
    """JSON-safe copy: instants and days as ISO 8601, tuples as lists, enums as values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
