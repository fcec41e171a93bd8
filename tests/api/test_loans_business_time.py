"""Past-state loan queries use business time: history written later still answers correctly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from events.loans import LoanClosed, LoanOpened
from events.store import PendingEvent
from service.application.catalogue import copy_stream
from service.application.readers import reader_stream


def _backfill(lector: Any) -> None:
    """A December 2025 loan, recorded today (as the demo and imports write their past)."""
    streams = (copy_stream("B9"), reader_stream("r-old"))
    opened = LoanOpened("L-old", "B9", "t-old", "r-old", "main", "book", "adult", "I247",
                        datetime(2025, 12, 1, 2, 0, tzinfo=UTC), date(2025, 12, 29))
    closed = LoanClosed("L-old", "B9", "r-old", "t-old", "main",
                        datetime(2025, 12, 23, 11, 0, tzinfo=UTC), date(2025, 12, 29), "adult",
                        "I247", "book")
    lector.store.append([PendingEvent(opened, streams), PendingEvent(closed, streams)],
                        expected={}, meta={"actor": "import", "channel": "worker"})


def test_a_loan_written_later_is_found_on_the_days_it_was_open(client: Any, auth: Any,
                                                              lector: Any) -> None:
    _backfill(lector)

    def readers_on(as_of: str, **by: str) -> list[str]:
        subject = "&".join(f"{k}={v}" for k, v in (by or {"barcode": "B9"}).items())
        reply = client.get(f"/api/v1/loans?{subject}&as_of={as_of}", headers=auth("desk"))
        assert reply.status_code == 200, reply.get_json()
        return [loan["reader_id"] for loan in reply.get_json()]

    assert readers_on("2025-12-05") == ["r-old"]
    assert readers_on("2025-12-05", reader="r-old") == ["r-old"]
    assert readers_on("2025-11-30") == []
    assert readers_on("2025-12-23T10:59:00%2B00:00") == ["r-old"]
    assert readers_on("2025-12-23T11:00:00%2B00:00") == []
    assert readers_on("2025-12-24") == []


def test_a_naive_instant_is_still_refused(client: Any, auth: Any) -> None:
    reply = client.get("/api/v1/loans?barcode=B9&as_of=2025-12-05T10:00:00", headers=auth("desk"))
    assert reply.status_code == 422 and "as_of" in reply.get_json()["errors"]
