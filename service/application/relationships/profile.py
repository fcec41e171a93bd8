"""The staff 360 view of one reader, assembled from read models only (never the raw log)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from projections.activities import reader_activities
from projections.current_loans import list_loans
from projections.feedback_inbox import list_feedback, list_suggestions
from projections.fines import balance, list_fines
from projections.hold_queue import list_holds
from projections.notice_outbox import list_notices
from projections.reader_profiles import get_reader
from projections.reader_segment_queries import (
    favourite_classes,
    loans_until,
    reader_segment_history,
)
from projections.reader_timeline import list_timeline
from projections.schema import checkpoints
from service.application.relationships.lapse_data import reader_lapse_risk

# Every read model the view reads: the answer reflects the lowest of their checkpoints.
PROFILE_PROJECTIONS = ("reader_profiles", "current_loans", "hold_queue", "fines",
                       "feedback_inbox", "notice_outbox", "reader_segments", "reader_timeline",
                       "lapse_model", "activities")


def reflected_position(conn: Connection) -> int:
    """The log position every read model of the view has reached."""
    reached = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position).where(
        checkpoints.c.name.in_(PROFILE_PROJECTIONS))).all())
    return min(int(reached.get(n, 0)) for n in PROFILE_PROJECTIONS)


def reader_360(conn: Connection, reader_id: str, today: date,
               timeline_limit: int = 50) -> dict[str, Any] | None:
    """Contact, circulation now, activity, segment, lapse risk, voice, notices and timeline."""
    reader = get_reader(conn, reader_id)
    if reader is None:
        return None
    position = reflected_position(conn)
    loans_now = list_loans(conn, reader_id=reader_id)
    holds = [h for h in list_holds(conn, reader_id=reader_id)
             if h.get("status") in ("waiting", "trapped")]
    dated = loans_until(conn, today, reader_id)
    year_ago = today - timedelta(days=365)
    segments = reader_segment_history(conn, reader_id)
    notices, notice_total = list_notices(conn, reader_id=reader_id, limit=20)
    timeline, timeline_total = list_timeline(conn, reader_id, limit=timeline_limit)
    keeps = bool(reader["keep_history"])
    return {
        "reader": reader,
        "position": position,
        "as_of": today,
        "now": {
            "loans": loans_now,
            "overdue": sum(1 for x in loans_now if x["due_on"] < today),
            "holds": holds,
            "fines_owed_fen": balance(conn, reader_id),
            "open_fines": list_fines(conn, reader_id, open_only=True),
        },
        "activity": {
            "lifetime_loans": int(reader.get("lifetime_loans") or 0),
            "loans_12_months": sum(1 for x in dated if x["opened_on"] > year_ago),
            "last_activity_at": reader.get("last_activity_at"),
            # never profiled from the titles of a reader who keeps no history
            "favourite_classes": favourite_classes(dated) if keeps else [],
            "profiled_from_titles": keeps,
        },
        "segment": segments[-1] if segments else None,
        "segment_history": segments,
        "lapse_risk": reader_lapse_risk(conn, reader_id, today),
        "feedback": list_feedback(conn, reader_id=reader_id, limit=20),
        "suggestions": list_suggestions(conn, reader_id=reader_id, limit=20),
        "notices": {"items": notices, "total": notice_total},
        "timeline": {"items": timeline, "total": timeline_total},
        "activities": _activities(conn, reader_id),
    }


def _activities(conn: Connection, reader_id: str) -> dict[str, Any]:
    """The library activities the reader signed up for, and how many they attended."""
    items = reader_activities(conn, reader_id, limit=20)
    return {"items": items, "attended": sum(1 for i in items if i["status"] == "attended"),
            "signed_up": len(items)}
