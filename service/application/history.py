"""Questions the log answers for free: a stream's full history, and who had what when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.catalogue import CopyMarkedLost
from events.codec import to_data
from events.loans import LoanClosed, LoanOpened
from events.store import StoredEvent
from service.application.catalogue import copy_stream
from service.application.context import Ports
from service.application.readers import reader_stream


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
    """Loans open at a past instant, folded from the log (never from a mutable table)."""
    streams = [copy_stream(barcode)] if barcode else [reader_stream(reader_id or "")]
    open_loans: dict[str, dict[str, Any]] = {}
    for stored in ports.store.load(streams).events:
        if stored.recorded_at > as_of:
            break
        e = stored.event
        if isinstance(e, LoanOpened):
            open_loans[e.loan_id] = {
                "loan_id": e.loan_id, "barcode": e.barcode, "title_id": e.title_id,
                "reader_id": e.reader_id, "opened_at": e.opened_at, "due_on": e.due_on,
            }
        elif isinstance(e, LoanClosed | CopyMarkedLost) and e.loan_id:
            open_loans.pop(e.loan_id, None)
    return list(open_loans.values())
