"""Turn an outbox row into a render context, after re-checking it against the log.

A time-triggered notice was decided by a scan that may have raced a return or a renewal, so
just before sending we look at the reader's own stream (consistent, unlike a projection):
a loan that is closed or has a new due date, or a hold no longer waiting on the shelf, makes
the notice stale and it is cancelled instead of sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from projections.catalogue import get_title
from service.config import Config
from service.domain.campaigns.clc_names import class_name
from service.domain.readers.reader_state import ReaderState

_FINE_REASON = {
    "overdue": ("逾期归还", "Late return"),
    "lost": ("图书遗失赔偿", "Replacement of a lost item"),
}
_LOAN_KINDS = ("due_soon", "overdue")
_HOLD_KINDS = ("reservation_ready", "pickup_reminder")
_CAMPAIGN_KINDS = ("campaign_new_arrivals", "campaign_we_miss_you", "campaign_activity",
                   "campaign_survey")


def stale_reason(kind: str, data: Mapping[str, Any], reader: ReaderState) -> str | None:
    """Why this notice should no longer go out, or None when it still should."""
    if data.get("resend_of"):
        return None  # staff asked for it explicitly
    if kind in _LOAN_KINDS:
        return _loan_stale(data, reader)
    if kind in _HOLD_KINDS:
        hold = reader.holds.get(data["hold_id"])
        if hold is None or hold.barcode is None:
            return "hold_no_longer_waiting"
        if kind == "pickup_reminder" and hold.pickup_by != date.fromisoformat(data["pickup_by"]):
            return "pickup_deadline_changed"
        return None
    if kind == "digest":
        return None if live_digest_items(data, reader) else "nothing_due_any_more"
    return None


def _loan_stale(data: Mapping[str, Any], reader: ReaderState) -> str | None:
    loan = reader.loans.get(data["loan_id"])
    if loan is None:
        return "loan_returned"
    if loan.due_on.isoformat() != data["due_on"]:
        return "loan_renewed"  # a new due date starts a new series under new keys
    return None


def live_digest_items(data: Mapping[str, Any], reader: ReaderState) -> list[dict[str, Any]]:
    """The items of a digest that are still true now."""
    return [item for item in data.get("items", []) if _loan_stale(item, reader) is None]


def _title(conn: Connection, title_id: str | None, barcode: str | None = None) -> dict[str, Any]:
    row = get_title(conn, title_id) if title_id else None
    authors = (row or {}).get("authors") or []
    return {"title": (row or {}).get("title") or barcode or "?",
            "author": " / ".join(authors) if authors else None, "barcode": barcode}


def _loan_item(conn: Connection, item: Mapping[str, Any], today: date) -> dict[str, Any]:
    due = date.fromisoformat(item["due_on"])
    return {**_title(conn, item.get("title_id"), item.get("barcode")), "due_date": due,
            "days_overdue": max(0, (today - due).days)}


def build_context(conn: Connection, config: Config, kind: str, data: Mapping[str, Any],
                  profile: Mapping[str, Any], reader: ReaderState, lang: str, today: date,
                  card_blocked: bool, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The variables a template of ``kind`` documents (service/domain/notices/context.py)."""
    zh = lang.startswith("zh")
    ctx: dict[str, Any] = {
        "reader_name": profile.get("name") or profile.get("card_number") or "",
        "library_name": config.library_name, "portal_url": config.portal_url,
        "timezone": config.timezone,
    }
    if kind in _HOLD_KINDS:
        ctx.update(items=[_title(conn, data["title_id"], data.get("barcode"))],
                   pickup_branch=data["pickup_branch"],
                   pickup_deadline=date.fromisoformat(data["pickup_by"]))
    elif kind in _LOAN_KINDS:
        ctx["items"] = [_loan_item(conn, data, today)]
        if kind == "overdue":
            ctx["card_blocked"] = card_blocked
    elif kind in ("hold_expired", "hold_cancelled"):
        ctx["items"] = [_title(conn, data["title_id"])]
        if data.get("reason"):
            ctx["reason"] = data["reason"]
    elif kind == "fine_assessed":
        words = _FINE_REASON.get(data.get("fine_kind", ""))
        ctx.update(fine_fen=int(data["amount_fen"]), card_blocked=card_blocked,
                   items=[_title(conn, data["title_id"], data.get("barcode"))]
                   if data.get("title_id") else [],
                   reason=(words[0] if zh else words[1]) if words else None)
    elif kind == "feedback_answered":
        ctx["answer_text"] = data["answer"]
    elif kind == "suggestion_decided":
        ctx.update(decision="rejected" if data["decision"] == "rejected" else "accepted",
                   reason=data.get("reason") or None)
    elif kind == "activity_reminder":
        ctx.update(activity_title=data["title_zh"] if zh else data["title_en"],
                   activity_description=(data["description_zh"] if zh
                                         else data["description_en"]) or None,
                   activity_branch=data["branch"],
                   activity_starts_at=datetime.fromisoformat(data["starts_at"]))
    elif kind == "digest":
        items = live_digest_items(data, reader)
        ctx.update(card_blocked=card_blocked,
                   due_soon_items=[_loan_item(conn, i, today) for i in items
                                   if i["kind"] == "due_soon"],
                   overdue_items=[_loan_item(conn, i, today) for i in items
                                  if i["kind"] == "overdue"])
    elif kind in _CAMPAIGN_KINDS:
        ctx["message"] = data.get("message") or None
        if kind == "campaign_new_arrivals":
            ctx.update(items=[_title(conn, t) for t in data.get("title_ids", [])],
                       class_name=class_name(data.get("main_class"), lang))
        if kind == "campaign_survey":
            ctx["survey_title"] = data["survey_title_zh"] if zh else data["survey_title_en"]
    ctx.update(extra or {})
    return ctx
