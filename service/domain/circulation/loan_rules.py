"""Decisions for lending: check out, check in, renew, lost and found (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from events.catalogue import CopyFound, CopyMarkedLost
from events.fines import FineAssessed
from events.holds import HoldFulfilled
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import PendingEvent
from events.vocabulary import CopyStatus
from service.application.catalogue import copy_stream, title_stream
from service.application.readers import reader_stream
from service.domain.catalogue.title_state import TitleState
from service.domain.circulation import refusals
from service.domain.circulation.copy_state import CopyState
from service.domain.circulation.hold_rules import hold_stream, trap_next
from service.domain.fines.charges import days_late, overdue_fine, replacement_charge
from service.domain.library.policy import loan_limit_for
from service.domain.library.rules import Rules, refuse_if_blocked
from service.domain.readers.reader_state import ReaderState

DEFAULT_REPLACEMENT_FEN = 5000


@dataclass(frozen=True)
class Verdict:
    events: list[PendingEvent]
    result: dict[str, Any] = field(default_factory=dict)


def decide_checkout(
    rules: Rules, reader: ReaderState, copy: CopyState, title: TitleState, loan_id: str,
    branch: str | None = None,
) -> Verdict:
    """Lend a copy to a reader, or refuse with the first reason that applies."""
    if copy.title_id is None:
        raise refusals.copy_not_found()
    if copy.status == CopyStatus.TRAPPED and copy.trapped_for != reader.reader_id:
        raise refusals.hold_for_other_reader()
    if copy.status not in (CopyStatus.AVAILABLE, CopyStatus.TRAPPED):
        raise refusals.copy_not_available(copy.status)
    refuse_if_blocked(rules, reader)
    assert reader.reader_id is not None
    desk = branch or copy.branch
    rule = rules.rule(reader.category, copy.item_type, desk)
    limit = loan_limit_for(rules.matrix, reader.category)
    if len(reader.loans) >= limit:
        raise refusals.loan_limit_reached(limit)
    same_type = sum(1 for ln in reader.loans.values() if ln.item_type == copy.item_type)
    if same_type >= rule.loan_limit:
        raise refusals.loan_limit_reached(rule.loan_limit)
    due = rules.due(rule.loan_days, desk)
    reader_s, copy_s = reader_stream(reader.reader_id), copy_stream(copy.barcode)
    events = []
    hold_id = copy.hold_id if copy.status == CopyStatus.TRAPPED else None
    events.append(PendingEvent(LoanOpened(
        loan_id=loan_id, barcode=copy.barcode, title_id=copy.title_id, reader_id=reader.reader_id,
        branch=desk, item_type=copy.item_type, reader_category=reader.category,
        clc_class=title.clc_class, opened_at=rules.now, due_on=due, hold_id=hold_id,
    ), (copy_s, reader_s)))
    if hold_id is not None:
        events.append(PendingEvent(
            HoldFulfilled(hold_id, copy.title_id, reader.reader_id, copy.barcode, loan_id),
            (title_stream(copy.title_id), reader_s, copy_s, hold_stream(hold_id)),
        ))
    return Verdict(events, {
        "loan_id": loan_id, "barcode": copy.barcode, "title_id": copy.title_id,
        "title": title.title, "reader_id": reader.reader_id, "due_on": due.isoformat(),
        "hold_fulfilled": hold_id,
    })


def decide_checkin(
    rules: Rules, copy: CopyState, reader: ReaderState | None, title: TitleState,
    branch: str, fine_id: str,
) -> Verdict:
    """Close the loan, charge any overdue fine, and trap the copy for the next hold."""
    if copy.title_id is None:
        raise refusals.copy_not_found()
    if copy.status == CopyStatus.WITHDRAWN:
        raise refusals.copy_not_available(CopyStatus.WITHDRAWN)
    if copy.status == CopyStatus.TRAPPED:
        return Verdict([], _desk_answer(copy, title, trapped=(copy.trapped_for, copy.hold_id,
                                                               copy.pickup_by, None)))
    events: list[PendingEvent] = []
    result: dict[str, Any] = {"barcode": copy.barcode, "title_id": copy.title_id,
                              "title": title.title, "fine_fen": 0, "loan_closed": None}
    copy_s = copy_stream(copy.barcode)
    if copy.status == CopyStatus.LOST:
        events.append(PendingEvent(CopyFound(copy.barcode, copy.title_id),
                                   (copy_s, title_stream(copy.title_id))))
    if copy.status == CopyStatus.ON_LOAN and reader is not None and copy.loan_id is not None:
        assert reader.reader_id is not None and copy.due_on is not None
        calendar = rules.calendar(copy.branch)
        late = days_late(copy.due_on, rules.today, calendar)
        loan = reader.loans.get(copy.loan_id)
        events.append(PendingEvent(LoanClosed(
            loan_id=copy.loan_id, barcode=copy.barcode, reader_id=reader.reader_id,
            title_id=copy.title_id, branch=branch, closed_at=rules.now, due_on=copy.due_on,
            days_late=late, reader_category=reader.category, clc_class=title.clc_class,
            item_type=copy.item_type,
        ), (copy_s, reader_stream(reader.reader_id))))
        rule = rules.rule(reader.category, copy.item_type, loan.branch if loan else copy.branch)
        fine = overdue_fine(copy.due_on, rules.today, rule, calendar)
        if fine > 0:
            events.append(PendingEvent(FineAssessed(
                fine_id=fine_id, reader_id=reader.reader_id, amount_fen=fine, kind="overdue",
                assessed_at=rules.now, loan_id=copy.loan_id, barcode=copy.barcode,
                title_id=copy.title_id, days_late=late,
            ), (reader_stream(reader.reader_id),)))
        result.update(loan_closed=copy.loan_id, reader_id=reader.reader_id, fine_fen=fine,
                      days_late=late)
    trap = trap_next(rules, title, copy, reason="returned")
    events.extend(trap.events)
    result.update(_desk_answer(copy, title, trapped=trap.trapped))
    return Verdict(events, result)


def _desk_answer(copy: CopyState, title: TitleState, trapped: Any) -> dict[str, Any]:
    """What the desk should do with the copy in hand."""
    if trapped is None:
        return {"barcode": copy.barcode, "title": title.title, "route": "shelf",
                "message_en": "Back to the shelf.", "message_zh": "放回书架。"}
    reader_id, hold_id, pickup_by, pickup_branch = trapped
    return {
        "barcode": copy.barcode, "title": title.title, "route": "hold_shelf",
        "hold_id": hold_id, "hold_reader_id": reader_id,
        "pickup_by": pickup_by.isoformat() if pickup_by else None,
        "pickup_branch": pickup_branch,
        "message_en": f"Put aside for reader {reader_id} until {pickup_by}.",
        "message_zh": f"请放到预约架，为读者 {reader_id} 保留至 {pickup_by}。",
    }


def decide_renew(rules: Rules, reader: ReaderState, copy: CopyState, title: TitleState) -> Verdict:
    """Extend a loan if the policy allows and nobody is waiting.

    A renewal runs from today (``renewal_days`` later, moved to an open day) and must move
    the due date later, else it is refused (``renewal_too_early``) without using a renewal.
    An overdue loan renews only where the policy says so (``renew_overdue``); then the fine
    run up so far is charged at once, so a renewal never forgives lateness.
    """
    if copy.status != CopyStatus.ON_LOAN or copy.loan_id is None or copy.reader_id != reader.reader_id:
        raise refusals.loan_not_found()
    assert reader.reader_id is not None and copy.due_on is not None and copy.title_id
    loan = reader.loans[copy.loan_id]
    overdue = (rules.today - copy.due_on).days
    if overdue > rules.matrix.block_overdue_days:
        raise refusals.loan_overdue_too_long(overdue)
    if overdue > 0 and not rules.matrix.renew_overdue:
        raise refusals.loan_overdue(overdue)
    refuse_if_blocked(rules, reader)
    rule = rules.rule(reader.category, copy.item_type, loan.branch)
    if copy.renewals_used >= rule.renewals_allowed:
        raise refusals.renewal_limit_reached(rule.renewals_allowed)
    waiting = title.waiting_for(copy.enumeration)  # a hold for another volume does not block
    if waiting:
        raise refusals.title_has_holds(len(waiting))
    due = rules.due(rule.renewal_days, loan.branch)
    if due <= copy.due_on:
        raise refusals.renewal_too_early(copy.due_on.isoformat(), due.isoformat())
    used = copy.renewals_used + 1
    reader_s = reader_stream(reader.reader_id)
    event = LoanRenewed(
        loan_id=copy.loan_id, barcode=copy.barcode, reader_id=reader.reader_id,
        title_id=copy.title_id, renewed_at=rules.now, due_on=due, previous_due_on=copy.due_on,
        renewals_used=used, branch=loan.branch, reader_category=reader.category,
        clc_class=title.clc_class,
    )
    events = [PendingEvent(event, (copy_stream(copy.barcode), reader_s))]
    fine = 0
    if overdue > 0:
        calendar = rules.calendar(loan.branch)
        fine = overdue_fine(copy.due_on, rules.today, rule, calendar)
        if fine > 0:
            events.append(PendingEvent(FineAssessed(
                fine_id=f"{copy.loan_id}-renewal-{used}", reader_id=reader.reader_id,
                amount_fen=fine, kind="overdue", assessed_at=rules.now, loan_id=copy.loan_id,
                barcode=copy.barcode, title_id=copy.title_id,
                days_late=days_late(copy.due_on, rules.today, calendar),
            ), (reader_s,)))
    return Verdict(events, {
        "loan_id": copy.loan_id, "barcode": copy.barcode, "due_on": due.isoformat(),
        "renewals_used": used, "renewals_left": rule.renewals_allowed - used, "fine_fen": fine,
    })


def decide_mark_lost(
    rules: Rules, reader: ReaderState, copy: CopyState, fine_id: str
) -> Verdict:
    """A reader lost a copy: the loan ends and the replacement cost is charged."""
    if copy.status != CopyStatus.ON_LOAN or copy.loan_id is None or reader.reader_id is None:
        raise refusals.loan_not_found()
    assert copy.title_id is not None
    charge = replacement_charge(copy.price_fen, DEFAULT_REPLACEMENT_FEN)
    reader_s = reader_stream(reader.reader_id)
    events = [
        PendingEvent(CopyMarkedLost(copy.barcode, copy.title_id, reader.reader_id, copy.loan_id,
                                    charge),
                     (copy_stream(copy.barcode), reader_s, title_stream(copy.title_id))),
        PendingEvent(FineAssessed(
            fine_id=fine_id, reader_id=reader.reader_id, amount_fen=charge, kind="lost",
            assessed_at=rules.now, loan_id=copy.loan_id, barcode=copy.barcode,
            title_id=copy.title_id,
        ), (reader_s,)),
    ]
    return Verdict(events, {"barcode": copy.barcode, "loan_id": copy.loan_id,
                            "charge_fen": charge, "fine_id": fine_id})
