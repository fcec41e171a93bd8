"""The pure lending and hold decisions, with hand-built states and rules (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

import events.domain  # noqa: F401  (registers every event type)
from events.catalogue import CopyMarkedLost
from events.fines import FineAssessed
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from service.domain.catalogue.title_state import QueuedHold, TitleState
from service.domain.circulation.copy_state import CopyState
from service.domain.circulation.hold_rules import (
    decide_cancel_hold,
    decide_expire_hold,
    decide_place_hold,
    trap_next,
)
from service.domain.circulation.loan_rules import (
    DEFAULT_REPLACEMENT_FEN,
    decide_checkin,
    decide_checkout,
    decide_mark_lost,
    decide_renew,
)
from service.domain.errors import DomainError
from service.domain.library.calendar import BranchCalendar
from service.domain.library.policy import default_matrix
from service.domain.library.rules import Rules
from service.domain.readers.reader_state import HoldInfo, LoanInfo, ReaderState

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, Monday 2 March 2026


def rules(today: date = MONDAY, calendars: dict[str, BranchCalendar] | None = None,
          **matrix_changes: int) -> Rules:
    matrix = replace(default_matrix(), **matrix_changes)
    now = NOW + timedelta(days=(today - MONDAY).days)
    return Rules(now=now, today=today, matrix=matrix, calendars=calendars or {})


def reader(reader_id: str = "r1", category: str = "adult", **changes: object) -> ReaderState:
    state = ReaderState(reader_id=reader_id, card_number=f"C-{reader_id}", category=category)
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def loan(n: int, item_type: str = "book", due: date = MONDAY + timedelta(days=10),
         title_id: str = "t-other") -> LoanInfo:
    return LoanInfo(f"L{n}", f"X{n}", title_id, due, item_type, "main")


def copy(barcode: str = "B1", status: str = "available", **changes: object) -> CopyState:
    return CopyState(barcode, title_id="t1", branch="main", status=status, **changes)  # type: ignore[arg-type]


def on_loan(reader_id: str = "r1", due: date = MONDAY + timedelta(days=10),
            renewals: int = 0, item_type: str = "book") -> tuple[CopyState, ReaderState]:
    c = copy(status="on_loan", loan_id="L1", reader_id=reader_id, due_on=due,
             renewals_used=renewals, item_type=item_type)
    r = reader(reader_id, loans={"L1": LoanInfo("L1", "B1", "t1", due, item_type, "main",
                                                 renewals)})
    return c, r


def title(*waiting: str, trapped: dict[str, tuple[str, str, date]] | None = None) -> TitleState:
    queue = [QueuedHold(f"h-{r}", r, "main", 100 + i, "adult") for i, r in enumerate(waiting)]
    state = TitleState("t1", exists=True, title="三体", clc_class="I247.5", waiting=queue)
    for hold_id, (reader_id, barcode, pickup_by) in (trapped or {}).items():
        state.trapped[hold_id] = (QueuedHold(hold_id, reader_id, "main", 50, "adult"), barcode,
                                  pickup_by)
    return state


def refusal(call: object) -> str:
    """The stable code a decision refused with."""
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


# --- check out -------------------------------------------------------------------------


def test_a_checkout_of_an_available_copy_opens_a_loan_due_after_the_loan_period() -> None:
    verdict = decide_checkout(rules(), reader(), copy(), title(), "L9")
    [opened] = [p.event for p in verdict.events]
    assert isinstance(opened, LoanOpened)
    assert opened.due_on == date(2026, 4, 1) and verdict.result["due_on"] == "2026-04-01"
    assert opened.reader_id == "r1" and opened.clc_class == "I247.5" and opened.hold_id is None


def test_a_checkout_is_recorded_on_the_copy_and_the_reader_stream() -> None:
    verdict = decide_checkout(rules(), reader(), copy(), title(), "L9")
    assert verdict.events[0].streams == ("copy-B1", "reader-r1")


def test_a_due_date_on_a_closed_weekday_and_a_closed_date_moves_to_the_next_open_day() -> None:
    # 30 days from Monday 2 March is Wednesday 1 April (closed weekday); 2 April is closed.
    calendar = BranchCalendar(frozenset({2}), frozenset({date(2026, 4, 2)}))
    verdict = decide_checkout(rules(calendars={"main": calendar}), reader(), copy(), title(),
                              "L9")
    assert verdict.result["due_on"] == "2026-04-03"


def test_the_desk_branch_calendar_decides_the_due_date_not_the_copy_home_branch() -> None:
    east_closed_wednesdays = {"east": BranchCalendar(frozenset({2}))}
    verdict = decide_checkout(rules(calendars=east_closed_wednesdays), reader(), copy(), title(),
                              "L9", branch="east")
    assert verdict.result["due_on"] == "2026-04-02"


def test_an_unknown_copy_is_refused_as_copy_not_found() -> None:
    assert refusal(lambda: decide_checkout(rules(), reader(), CopyState("B0"), title(),
                                           "L9")) == "copy_not_found"


@pytest.mark.parametrize("status", ["on_loan", "lost", "withdrawn"])
def test_a_copy_that_is_not_on_the_shelf_is_refused_as_not_available(status: str) -> None:
    assert refusal(lambda: decide_checkout(rules(), reader(), copy(status=status), title(),
                                           "L9")) == "copy_not_available"


def test_a_copy_trapped_for_another_reader_is_refused() -> None:
    trapped = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=MONDAY)
    assert refusal(lambda: decide_checkout(rules(), reader(), trapped, title(),
                                           "L9")) == "hold_for_other_reader"


def test_a_copy_trapped_for_the_reader_fulfils_their_hold() -> None:
    trapped = copy(status="trapped", hold_id="h-r1", trapped_for="r1", pickup_by=MONDAY)
    verdict = decide_checkout(rules(), reader(), trapped, title(), "L9")
    opened, fulfilled = (p.event for p in verdict.events)
    assert isinstance(opened, LoanOpened) and opened.hold_id == "h-r1"
    assert isinstance(fulfilled, HoldFulfilled) and fulfilled.loan_id == "L9"
    assert verdict.result["hold_fulfilled"] == "h-r1"
    assert "hold-h-r1" in verdict.events[1].streams


def test_a_manually_blocked_reader_is_refused_with_the_reason() -> None:
    with pytest.raises(DomainError) as caught:
        decide_checkout(rules(), reader(manual_block="lost card"), copy(), title(), "L9")
    assert caught.value.code == "reader_blocked"
    assert caught.value.extra["reasons"] == ["manual"]
    assert "lost card" in caught.value.en and "lost card" in caught.value.zh


def test_fines_at_the_threshold_block_a_checkout() -> None:
    blocked = reader(fines={"f1": 600, "f2": 400})
    with pytest.raises(DomainError) as caught:
        decide_checkout(rules(), blocked, copy(), title(), "L9")
    assert caught.value.extra["reasons"] == ["fines_over_threshold"]


def test_an_expired_card_and_a_long_overdue_loan_are_both_named() -> None:
    late = reader(expires_on=MONDAY - timedelta(days=1),
                  loans={"L1": loan(1, due=MONDAY - timedelta(days=31))})
    with pytest.raises(DomainError) as caught:
        decide_checkout(rules(), late, copy(), title(), "L9")
    assert caught.value.extra["reasons"] == ["overdue_too_long", "card_expired"]


def test_a_card_still_works_on_its_last_day() -> None:
    verdict = decide_checkout(rules(), reader(expires_on=MONDAY), copy(), title(), "L9")
    assert verdict.result["loan_id"] == "L9"


def test_a_reader_at_the_category_loan_limit_is_refused() -> None:
    full = reader(category="child", loans={f"L{n}": loan(n) for n in range(5)})
    with pytest.raises(DomainError) as caught:
        decide_checkout(rules(), full, copy(), title(), "L9")
    assert caught.value.code == "loan_limit_reached" and caught.value.extra["limit"] == 5


def test_a_reader_one_below_the_limit_may_borrow_one_more() -> None:
    almost = reader(category="child", loans={f"L{n}": loan(n) for n in range(4)})
    assert decide_checkout(rules(), almost, copy(), title(), "L9").result["loan_id"] == "L9"


def test_the_item_type_limit_caps_loans_of_that_type() -> None:
    three_av = reader(loans={f"L{n}": loan(n, item_type="av") for n in range(3)})
    with pytest.raises(DomainError) as caught:
        decide_checkout(rules(), three_av, copy(item_type="av"), title(), "L9")
    assert caught.value.code == "loan_limit_reached" and caught.value.extra["limit"] == 3
    # A book is still fine: the AV cap concerns AV only.
    assert decide_checkout(rules(), three_av, copy(), title(), "L9").result["loan_id"] == "L9"


# --- check in --------------------------------------------------------------------------


def test_a_return_on_time_closes_the_loan_without_a_fine_and_goes_back_to_the_shelf() -> None:
    c, r = on_loan()
    verdict = decide_checkin(rules(), c, r, title(), "main", "F1")
    assert [type(p.event) for p in verdict.events] == [LoanClosed]
    assert verdict.result["fine_fen"] == 0 and verdict.result["route"] == "shelf"


def test_a_late_return_is_fined_per_open_day_and_the_fine_names_the_loan() -> None:
    c, r = on_loan(due=MONDAY - timedelta(days=4))
    verdict = decide_checkin(rules(), c, r, title(), "main", "F1")
    closed, fine = (p.event for p in verdict.events)
    assert isinstance(closed, LoanClosed) and closed.days_late == 4
    assert isinstance(fine, FineAssessed)
    assert (fine.amount_fen, fine.loan_id, fine.fine_id) == (40, "L1", "F1")


def test_closed_days_are_not_counted_as_late() -> None:
    # Due Friday 27 Feb, back Monday 2 March; weekends closed: only Monday is late.
    c, r = on_loan(due=date(2026, 2, 27))
    weekends = {"main": BranchCalendar(frozenset({5, 6}))}
    verdict = decide_checkin(rules(calendars=weekends), c, r, title(), "main", "F1")
    assert verdict.result["days_late"] == 1 and verdict.result["fine_fen"] == 10


def test_a_returned_copy_is_trapped_for_the_first_reader_in_the_queue() -> None:
    c, r = on_loan()
    verdict = decide_checkin(rules(), c, r, title("r2", "r3"), "main", "F1")
    trapped = verdict.events[-1].event
    assert isinstance(trapped, HoldTrapped) and trapped.reader_id == "r2"
    assert verdict.result["route"] == "hold_shelf" and verdict.result["hold_reader_id"] == "r2"
    assert "r2" not in verdict.result["message_en"]  # the desk names the reader (name, card)


def test_checking_in_a_trapped_copy_changes_nothing() -> None:
    trapped = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=MONDAY)
    verdict = decide_checkin(rules(), trapped, None, title(), "main", "F1")
    assert verdict.events == [] and verdict.result["route"] == "hold_shelf"


def test_a_lost_copy_that_comes_back_is_found_and_shelved() -> None:
    verdict = decide_checkin(rules(), copy(status="lost"), None, title(), "main", "F1")
    assert [p.event.type_name for p in verdict.events] == ["copy.found"]
    assert verdict.result["route"] == "shelf"


def test_a_withdrawn_copy_cannot_be_checked_in() -> None:
    assert refusal(lambda: decide_checkin(rules(), copy(status="withdrawn"), None, title(),
                                          "main", "F1")) == "copy_not_available"


def test_an_unknown_copy_cannot_be_checked_in() -> None:
    assert refusal(lambda: decide_checkin(rules(), CopyState("B0"), None, title(), "main",
                                          "F1")) == "copy_not_found"


# --- renew -----------------------------------------------------------------------------


def test_a_renewal_extends_the_due_date_from_today() -> None:
    c, r = on_loan(due=MONDAY + timedelta(days=2))
    verdict = decide_renew(rules(), r, c, title())
    [renewed] = [p.event for p in verdict.events]
    assert isinstance(renewed, LoanRenewed)
    assert renewed.due_on == date(2026, 4, 1) and renewed.previous_due_on == date(2026, 3, 4)
    assert verdict.result["renewals_used"] == 1 and verdict.result["renewals_left"] == 0


def test_a_renewal_that_would_not_move_the_due_date_is_refused_and_uses_nothing() -> None:
    # AV renews for 14 days; a loan due in 20 days would gain nothing (it used to be
    # "renewed" to its own due date, using up the renewal).
    c, r = on_loan(due=MONDAY + timedelta(days=20), item_type="av")
    with pytest.raises(DomainError) as caught:
        decide_renew(rules(), r, c, title())
    assert caught.value.code == "renewal_too_early"
    assert caught.value.extra == {"due_on": "2026-03-22", "renewed_due_on": "2026-03-16"}
    assert c.renewals_used == 0


def test_renewing_on_the_day_of_checkout_is_too_early() -> None:
    c, r = on_loan(due=MONDAY + timedelta(days=30))  # lent today for 30 days; renews for 30
    assert refusal(lambda: decide_renew(rules(), r, c, title())) == "renewal_too_early"
    later = rules(today=MONDAY + timedelta(days=1))
    assert decide_renew(later, r, c, title()).result["due_on"] == "2026-04-02"


def test_an_overdue_loan_is_not_renewed_unless_the_policy_allows_it() -> None:
    c, r = on_loan(due=MONDAY - timedelta(days=3))
    with pytest.raises(DomainError) as caught:
        decide_renew(rules(), r, c, title())
    assert (caught.value.code, caught.value.extra["days_overdue"]) == ("loan_overdue", 3)


def test_where_the_policy_allows_it_an_overdue_renewal_is_counted_and_charges_the_fine() -> None:
    allowing = rules(renew_overdue=True)
    c, r = on_loan(due=MONDAY - timedelta(days=3))
    verdict = decide_renew(allowing, r, c, title())
    renewed, fine = (p.event for p in verdict.events)
    assert isinstance(renewed, LoanRenewed) and renewed.due_on == date(2026, 4, 1)
    assert isinstance(fine, FineAssessed) and fine.kind == "overdue"
    assert (fine.amount_fen, fine.days_late, fine.loan_id) == (30, 3, "L1")  # 3 days x 10 fen
    assert verdict.result["fine_fen"] == 30 and verdict.result["renewals_used"] == 1
    spent, r2 = on_loan(due=MONDAY - timedelta(days=3), renewals=1)
    assert refusal(lambda: decide_renew(allowing, r2, spent, title())) == "renewal_limit_reached"


def test_a_renewed_due_date_skips_closed_days() -> None:
    c, r = on_loan(due=MONDAY)
    closed = {"main": BranchCalendar(frozenset({2}))}  # 1 April 2026 is a Wednesday
    assert decide_renew(rules(calendars=closed), r, c, title()).result["due_on"] == "2026-04-02"


def test_renewals_stop_at_the_policy_limit() -> None:
    c, r = on_loan(renewals=1)
    assert refusal(lambda: decide_renew(rules(), r, c, title())) == "renewal_limit_reached"


def test_a_title_with_waiting_holds_cannot_be_renewed() -> None:
    c, r = on_loan()
    assert refusal(lambda: decide_renew(rules(), r, c, title("r2"))) == "title_has_holds"


def test_a_loan_overdue_past_the_block_limit_cannot_be_renewed() -> None:
    c, r = on_loan(due=MONDAY - timedelta(days=31))
    with pytest.raises(DomainError) as caught:
        decide_renew(rules(), r, c, title())
    assert caught.value.code == "loan_overdue_too_long"
    assert caught.value.extra["days_overdue"] == 31


def test_a_blocked_reader_cannot_renew() -> None:
    c, r = on_loan()
    r.manual_block = "desk note"
    assert refusal(lambda: decide_renew(rules(), r, c, title())) == "reader_blocked"


def test_only_the_borrower_can_renew_and_only_a_loaned_copy() -> None:
    c, _ = on_loan()
    assert refusal(lambda: decide_renew(rules(), reader("r2"), c, title())) == "loan_not_found"
    assert refusal(lambda: decide_renew(rules(), reader(), copy(), title())) == "loan_not_found"


# --- lost ------------------------------------------------------------------------------


def test_a_lost_loan_ends_and_charges_the_copy_price() -> None:
    c, r = on_loan()
    c.price_fen = 4200
    verdict = decide_mark_lost(rules(), r, c, "F1")
    lost, fine = (p.event for p in verdict.events)
    assert isinstance(lost, CopyMarkedLost) and lost.loan_id == "L1"
    assert isinstance(fine, FineAssessed) and (fine.kind, fine.amount_fen) == ("lost", 4200)


def test_a_lost_copy_without_a_price_charges_the_default() -> None:
    c, r = on_loan()
    assert decide_mark_lost(rules(), r, c, "F1").result["charge_fen"] == DEFAULT_REPLACEMENT_FEN


def test_only_a_loaned_copy_can_be_marked_lost() -> None:
    assert refusal(lambda: decide_mark_lost(rules(), reader(), copy(), "F1")) == "loan_not_found"


# --- holds -----------------------------------------------------------------------------


def test_a_hold_joins_the_end_of_the_queue() -> None:
    events, result = decide_place_hold(rules(), reader("r9"), title("r2", "r3"), "h9", "east")
    [placed] = [p.event for p in events]
    assert isinstance(placed, HoldPlaced) and placed.pickup_branch == "east"
    assert result["queue_position"] == 3
    assert events[0].streams == ("title-t1", "reader-r9", "hold-h9")


def test_a_hold_on_an_unknown_title_is_refused() -> None:
    assert refusal(lambda: decide_place_hold(rules(), reader(), TitleState("t0"), "h9",
                                             "main")) == "title_not_found"


def test_a_reader_cannot_hold_a_title_they_have_on_loan() -> None:
    borrower = reader(loans={"L1": loan(1, title_id="t1")})
    assert refusal(lambda: decide_place_hold(rules(), borrower, title(), "h9",
                                             "main")) == "already_on_loan"


def test_a_reader_cannot_hold_a_title_twice_waiting_or_trapped() -> None:
    assert refusal(lambda: decide_place_hold(rules(), reader("r2"), title("r2"), "h9",
                                             "main")) == "already_held"
    trapped = title(trapped={"h-x": ("r2", "B1", MONDAY)})
    assert refusal(lambda: decide_place_hold(rules(), reader("r2"), trapped, "h9",
                                             "main")) == "already_held"


def test_a_reader_at_the_hold_limit_is_refused() -> None:
    holds = {f"h{n}": HoldInfo(f"h{n}", f"t{n + 10}", "main") for n in range(3)}
    with pytest.raises(DomainError) as caught:
        decide_place_hold(rules(), reader(category="child", holds=holds), title(), "h9", "main")
    assert caught.value.code == "hold_limit_reached" and caught.value.extra["limit"] == 3


def test_a_blocked_reader_cannot_place_a_hold() -> None:
    assert refusal(lambda: decide_place_hold(rules(), reader(manual_block=""), title(), "h9",
                                             "main")) == "reader_blocked"


def test_trap_next_takes_the_earliest_placed_hold_and_says_why() -> None:
    trap = trap_next(rules(), title("r2", "r3", "r4"), copy(), reason="returned")
    [event] = [p.event for p in trap.events]
    assert isinstance(event, HoldTrapped)
    assert (event.reader_id, event.hold_id) == ("r2", "h-r2")
    assert event.reason == "returned: first of 3 waiting (placed at log position 100)"
    assert trap.trapped == ("r2", "h-r2", date(2026, 3, 9), "main")  # 7 pickup days


def test_trap_next_with_nobody_waiting_does_nothing() -> None:
    assert trap_next(rules(), title(), copy(), reason="returned").events == []


def test_a_pickup_deadline_on_a_closed_day_moves_to_the_next_open_day() -> None:
    monday_closed = {"main": BranchCalendar(frozenset({0}))}
    trap = trap_next(rules(calendars=monday_closed), title("r2"), copy(), reason="returned")
    assert trap.trapped is not None and trap.trapped[2] == date(2026, 3, 10)


def test_a_trapped_hold_does_not_expire_on_its_last_pickup_day() -> None:
    t = title("r3", trapped={"h-r2": ("r2", "B1", MONDAY)})
    trapped_copy = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=MONDAY)
    events, result = decide_expire_hold(rules(), t, "h-r2", trapped_copy)
    assert events == [] and result["expired"] is False


def test_a_trapped_hold_expires_the_day_after_its_deadline_and_passes_to_the_next_reader() -> None:
    t = title("r3", "r4", trapped={"h-r2": ("r2", "B1", MONDAY)})
    trapped_copy = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=MONDAY)
    events, result = decide_expire_hold(rules(MONDAY + timedelta(days=1)), t, "h-r2",
                                        trapped_copy)
    expired, trapped = (p.event for p in events)
    assert isinstance(expired, HoldExpired) and expired.reader_id == "r2"
    assert isinstance(trapped, HoldTrapped) and trapped.reader_id == "r3"
    assert trapped.reason.startswith("previous hold expired: first of 2 waiting")
    assert result == {"hold_id": "h-r2", "expired": True, "passed_to": "r3"}


def test_expiring_a_waiting_hold_is_a_no_op() -> None:
    events, result = decide_expire_hold(rules(MONDAY + timedelta(days=30)), title("r2"), "h-r2",
                                        None)
    assert events == [] and result["expired"] is False


def test_cancelling_a_trapped_hold_passes_the_copy_to_the_next_reader() -> None:
    t = title("r3", trapped={"h-r2": ("r2", "B1", MONDAY)})
    trapped_copy = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=MONDAY)
    events, result = decide_cancel_hold(rules(), t, "h-r2", trapped_copy, "staff:x", "asked")
    cancelled, trapped = (p.event for p in events)
    assert isinstance(cancelled, HoldCancelled) and cancelled.barcode == "B1"
    assert isinstance(trapped, HoldTrapped) and trapped.reader_id == "r3"
    assert result["passed_to"] == "r3"


def test_cancelling_a_waiting_hold_traps_nothing() -> None:
    events, result = decide_cancel_hold(rules(), title("r2", "r3"), "h-r2", None, "reader:r2",
                                        "")
    assert [type(p.event) for p in events] == [HoldCancelled] and result["passed_to"] is None


def test_cancelling_an_unknown_hold_is_refused() -> None:
    assert refusal(lambda: decide_cancel_hold(rules(), title("r2"), "h-zz", None, "x",
                                              "")) == "hold_not_found"
