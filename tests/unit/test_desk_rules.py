"""Pure desk rules: which refusals a librarian may override, and where a returned copy goes."""

from __future__ import annotations

from datetime import date

import pytest

from events.holds import HoldCancelled
from events.loans import LoanOpened
from events.transit import CopyArrived, CopySentInTransit
from service.domain.circulation import refusals
from service.domain.circulation.loan_rules import decide_checkin, decide_checkout
from service.domain.circulation.overrides import (
    Severity,
    check_override,
    classify,
    severity,
    with_overrides,
)
from service.domain.circulation.transit import destination
from service.domain.errors import DomainError
from tests.unit.test_circulation_rules import copy, loan, on_loan, reader, refusal, rules, title


@pytest.mark.parametrize(("code", "reasons", "expected"), [
    ("loan_limit_reached", (), Severity.SOFT),
    ("renewal_limit_reached", (), Severity.SOFT),
    ("hold_for_other_reader", (), Severity.SOFT),
    ("reader_blocked", ("fines_over_threshold",), Severity.SOFT),
    ("reader_blocked", ("fines_over_threshold", "card_expired"), Severity.HARD),
    ("reader_blocked", ("manual",), Severity.HARD),
    ("copy_not_available", (), Severity.HARD),
    ("copy_not_found", (), Severity.HARD),
    ("title_has_holds", (), Severity.HARD),
])
def test_each_refusal_is_soft_or_hard(code: str, reasons: tuple[str, ...],
                                      expected: Severity) -> None:
    assert severity(code, reasons) is expected


def test_a_soft_refusal_passes_only_for_a_librarian_with_a_reason() -> None:
    soft = refusals.loan_limit_reached(5)
    assert check_override(soft, "librarian", "project") == "loan_limit_reached"
    assert check_override(soft, "admin", "project") == "loan_limit_reached"
    with pytest.raises(DomainError) as no_reason:
        check_override(soft, "librarian", "  ")
    assert no_reason.value.code == "loan_limit_reached" and no_reason.value.extra["overridable"]
    with pytest.raises(DomainError) as clerk:
        check_override(soft, "desk", "please")
    assert (clerk.value.code, clerk.value.status) == ("override_forbidden", 403)


def test_a_hard_refusal_never_passes() -> None:
    hard = refusals.copy_not_available("on_loan")
    assert classify(hard) is Severity.HARD
    with pytest.raises(DomainError) as refused:
        check_override(hard, "admin", "I insist")
    assert refused.value.code == "override_not_allowed"
    assert refused.value.extra["refused"] == "copy_not_available"


def test_an_override_at_the_loan_limit_is_recorded_in_the_loan() -> None:
    full = reader(category="child", loans={f"L{n}": loan(n) for n in range(5)})
    decide = lambda allow, override: decide_checkout(  # noqa: E731
        rules(), full, copy(), title(), "L9", None, allow, override)
    assert refusal(lambda: decide(frozenset(), None)) == "loan_limit_reached"
    verdict = with_overrides(decide, "librarian", "school project", "staff:lib1")
    opened = verdict.events[0].event
    assert isinstance(opened, LoanOpened)
    assert opened.override_codes == ("loan_limit_reached",)
    assert (opened.override_reason, opened.override_by) == ("school project", "staff:lib1")


def test_lending_a_copy_set_aside_for_another_reader_ends_that_hold() -> None:
    trapped = copy(status="trapped", hold_id="h-r2", trapped_for="r2", pickup_by=date(2026, 3, 9))
    decide = lambda allow, override: decide_checkout(  # noqa: E731
        rules(), reader(), trapped, title(), "L9", None, allow, override)
    verdict = with_overrides(decide, "librarian", "R2 asked us to", "staff:lib1")
    cancelled, opened = (p.event for p in verdict.events)
    assert isinstance(cancelled, HoldCancelled) and cancelled.hold_id == "h-r2"
    assert isinstance(opened, LoanOpened) and opened.hold_id is None


def test_a_copy_goes_home_or_to_the_pickup_branch_or_stays() -> None:
    home = copy()  # home branch main
    assert destination(home, "main", None) is None
    assert destination(home, "east", None) == ("main", "home")
    assert destination(home, "main", "east") == ("east", "hold")
    assert destination(home, "east", "east") is None


def test_a_copy_returned_away_from_home_is_sent_in_transit_and_received_only_there() -> None:
    c, r = on_loan()
    sent = decide_checkin(rules(), c, r, title(), "east", "F1")
    transit = sent.events[-1].event
    assert isinstance(transit, CopySentInTransit)
    assert (transit.from_branch, transit.to_branch, transit.reason) == ("east", "main", "home")
    assert sent.result["route"] == "transit"
    travelling = copy(in_transit_to="main")
    assert decide_checkin(rules(), travelling, None, title(), "east", "F2").events == []
    arrived = decide_checkin(rules(), travelling, None, title(), "main", "F3")
    assert isinstance(arrived.events[0].event, CopyArrived)
    assert arrived.result["route"] == "shelf"


def test_a_trapped_copy_travels_to_the_pickup_branch_with_the_hold() -> None:
    c, r = on_loan()
    waiting = title("r2")
    waiting.waiting[0] = waiting.waiting[0].__class__("h-r2", "r2", "east", 100, "adult")
    verdict = decide_checkin(rules(), c, r, waiting, "main", "F1")
    transit = verdict.events[-1].event
    assert isinstance(transit, CopySentInTransit)
    assert (transit.to_branch, transit.reason, transit.hold_id) == ("east", "hold", "h-r2")
    assert verdict.result["hold_reader_id"] == "r2" and verdict.result["route"] == "transit"


def test_a_book_drop_return_closes_the_loan_at_the_drop_time() -> None:
    c, r = on_loan(due=date(2026, 3, 5))
    late = rules(today=date(2026, 3, 12))
    drop = rules(today=date(2026, 3, 4))
    verdict = decide_checkin(late, c, r, title(), "main", "F1", drop)
    assert verdict.result["fine_fen"] == 0 and verdict.result["days_late"] == 0
    assert verdict.result["returned_at"] == drop.now.isoformat()
    assert decide_checkin(late, c, r, title(), "main", "F1").result["fine_fen"] > 0
