"""The last check before a notice leaves: is it still true according to the reader's stream?"""

from __future__ import annotations

from datetime import date

from service.config import Config
from service.domain.readers.reader_state import HoldInfo, LoanInfo, ReaderState
from workers.notices.assemble import live_digest_items, stale_reason
from workers.notices.timing import notice_schedule, scan_time_utc

DUE = date(2026, 12, 3)


def _reader(due: date | None = DUE, trapped: bool = True) -> ReaderState:
    state = ReaderState(reader_id="r1")
    if due is not None:
        state.loans["L1"] = LoanInfo("L1", "B1", "T1", due, "book", "main")
    state.holds["H1"] = HoldInfo("H1", "T1", "main", "B2" if trapped else None,
                                 date(2026, 12, 10) if trapped else None)
    return state


def _loan(kind: str = "overdue") -> dict[str, str]:
    return {"loan_id": "L1", "due_on": DUE.isoformat(), "kind": kind}


def test_an_overdue_notice_for_an_open_loan_with_the_same_due_date_still_goes_out() -> None:
    assert stale_reason("overdue", _loan(), _reader()) is None


def test_an_overdue_notice_for_a_returned_loan_is_stale() -> None:
    assert stale_reason("overdue", _loan(), _reader(due=None)) == "loan_returned"


def test_a_renewal_makes_the_old_due_date_series_stale() -> None:
    assert stale_reason("due_soon", _loan("due_soon"), _reader(date(2027, 1, 2))) == "loan_renewed"


def test_a_reservation_ready_notice_is_stale_once_the_copy_is_no_longer_waiting() -> None:
    data = {"hold_id": "H1", "pickup_by": "2026-12-10"}
    assert stale_reason("reservation_ready", data, _reader()) is None
    assert stale_reason("reservation_ready", data, _reader(trapped=False)) == \
        "hold_no_longer_waiting"
    moved = {"hold_id": "H1", "pickup_by": "2026-12-12"}
    assert stale_reason("pickup_reminder", moved, _reader()) == "pickup_deadline_changed"


def test_an_explicit_resend_is_never_stale() -> None:
    assert stale_reason("overdue", {**_loan(), "resend_of": "overdue:L1"}, _reader(None)) is None


def test_a_digest_keeps_only_the_items_that_are_still_true() -> None:
    data = {"items": [_loan(), {"loan_id": "L9", "due_on": "2026-12-01", "kind": "overdue"}]}
    assert [i["loan_id"] for i in live_digest_items(data, _reader())] == ["L1"]
    assert stale_reason("digest", {"items": [data["items"][1]]}, _reader()) == \
        "nothing_due_any_more"


def test_the_daily_scan_runs_at_the_configured_library_time_expressed_in_utc() -> None:
    config = Config(database_url="sqlite:////tmp/unused.db", notice_scan_time="08:30")
    assert scan_time_utc(config).isoformat() == "00:30:00"
    entries = notice_schedule(config)
    assert entries["notices-daily-scan"]["task"] == "notices.scan"
    assert entries["notices-dispatch"]["task"] == "notices.dispatch"
