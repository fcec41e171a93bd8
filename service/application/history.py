"""Questions the log answers for free: a stream's full history, and who had what when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.catalogue import CopyMarkedLost
from events.codec import to_data
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from events.streams import copy_stream, reader_stream
from service.application.context import Ports


def describe(stored: StoredEvent) -> dict[str, Any]:
    """One line of a timeline: when, what, who, through which channel, with its data."""
    return {
        "position": stored.position, "recorded_at": stored.recorded_at, "type": stored.type,
        "actor": stored.meta.get("actor"), "channel": stored.meta.get("channel"),
        "data": to_data(stored.event), "erased_fields": sorted(stored.erased_fields),
    }


def copy_history(ports: Ports, barcode: str) -> list[dict[str, Any]]:
    return [describe(e) for e in ports.store.load([copy_stream(barcode)]).events]


def reader_timeline(ports: Ports, reader_id: str) -> list[dict[str, Any]]:
    return [describe(e) for e in ports.store.load([reader_stream(reader_id)]).events]


def loans_as_of(ports: Ports, as_of: datetime, *, barcode: str | None = None,
                reader_id: str | None = None) -> list[dict[str, Any]]:
    """Loans open at a past instant, folded from the log (never from a mutable table).

    By business time: a loan is open at ``as_of`` when it was opened at or before it and not
    closed by then (``opened_at`` / ``closed_at``), whenever the events were recorded, so
    imported and backfilled history answers correctly. A copy declared lost carries no time
    of its own: the moment it was recorded ends the loan."""
    streams = [copy_stream(barcode)] if barcode else [reader_stream(reader_id or "")]
    loans: dict[str, dict[str, Any]] = {}
    ended: dict[str, datetime] = {}
    for stored in ports.store.load(streams).events:
        e = stored.event
        if isinstance(e, LoanOpened):
            loans[e.loan_id] = {
                "loan_id": e.loan_id, "barcode": e.barcode, "title_id": e.title_id,
                "reader_id": e.reader_id, "opened_at": e.opened_at, "due_on": e.due_on,
            }
        elif isinstance(e, LoanRenewed) and e.loan_id in loans and e.renewed_at <= as_of:
            loans[e.loan_id]["due_on"] = e.due_on
        elif isinstance(e, LoanClosed):
            ended[e.loan_id] = e.closed_at
        elif isinstance(e, CopyMarkedLost) and e.loan_id:
            ended.setdefault(e.loan_id, stored.recorded_at)
    return sorted((loan for loan_id, loan in loans.items()
                   if loan["opened_at"] <= as_of and not (loan_id in ended and ended[loan_id] <= as_of)),
                  key=lambda loan: loan["opened_at"])
