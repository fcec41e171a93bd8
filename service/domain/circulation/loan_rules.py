"""Decisions for lending: check out, check in, renew, lost and found (pure functions)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from events.catalogue import CopyFound, CopyMarkedLost
from events.fines import FineAssessed
from events.holds import HoldCancelled, HoldFulfilled
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import PendingEvent
from events.streams import copy_stream, hold_stream, reader_stream, title_stream
from events.vocabulary import CopyStatus
from service.domain.catalogue.title_state import TitleState
from service.domain.circulation import refusals, transit
from service.domain.circulation.copy_state import CopyState
from service.domain.circulation.hold_rules import trap_next
from service.domain.circulation.overrides import Override, passes
from service.domain.decision import Decision
from service.domain.errors import DomainError
from service.domain.fines.charges import days_late, overdue_fine, replacement_charge
from service.domain.library.policy import loan_limit_for
from service.domain.library.rules import Rules, refuse_if_blocked
from service.domain.readers.reader_state import ReaderState

DEFAULT_REPLACEMENT_FEN = 5000


def _soft(allow: frozenset[str], error: DomainError) -> None:
    """Raise the refusal unless a librarian passed it (and it is still soft)."""
    if not passes(allow, error):
        raise error


def _unless_blocked(rules: Rules, reader: ReaderState, allow: frozenset[str]) -> None:
    try:
        refuse_if_blocked(rules, reader)
    except DomainError as error:
        _soft(allow, error)


def _override_fields(override: Override | None) -> dict[str, Any]:
    if override is None:
        return {}
    return {"override_codes": override.codes, "override_reason": override.reason,
            "override_by": override.by}


def decide_checkout(
    rules: Rules, reader: ReaderState, copy: CopyState, title: TitleState, loan_id: str,
    branch: str | None = None, allow: frozenset[str] = frozenset(),
    override: Override | None = None,
) -> Decision:
    """Lend a copy to a reader, or refuse with the first reason that applies.

    ``allow`` holds the soft refusals a librarian overrode (``override`` says who and why);
    a copy set aside for another reader and lent anyway ends that reader's hold.
    """
    if copy.title_id is None:
        raise refusals.copy_not_found()
    events: list[PendingEvent] = []
    reader_s, copy_s = reader_stream(reader.reader_id or ""), copy_stream(copy.barcode)
    if copy.status == CopyStatus.TRAPPED and copy.trapped_for != reader.reader_id:
        _soft(allow, refusals.hold_for_other_reader())
        assert copy.hold_id is not None and copy.trapped_for is not None and override
        events.append(PendingEvent(HoldCancelled(
            copy.hold_id, copy.title_id, copy.trapped_for, copy.barcode, rules.now,
            override.by, f"override: lent to another reader at the hold reader's request: "
            f"{override.reason}"),
            (title_stream(copy.title_id), reader_stream(copy.trapped_for), copy_s,
             hold_stream(copy.hold_id))))
        copy = replace(copy, status=CopyStatus.AVAILABLE, hold_id=None, trapped_for=None)
    if copy.status not in (CopyStatus.AVAILABLE, CopyStatus.TRAPPED):
        raise refusals.copy_not_available(copy.status)
    _unless_blocked(rules, reader, allow)
    assert reader.reader_id is not None
    desk = branch or copy.branch
    rule = rules.rule(reader.category, copy.item_type, desk)
    limit = loan_limit_for(rules.matrix, reader.category)
    if len(reader.loans) >= limit:
        _soft(allow, refusals.loan_limit_reached(limit))
    same_type = sum(1 for ln in reader.loans.values() if ln.item_type == copy.item_type)
    if same_type >= rule.loan_limit:
        _soft(allow, refusals.loan_limit_reached(rule.loan_limit))
    due = rules.due(rule.loan_days, desk)
    hold_id = copy.hold_id if copy.status == CopyStatus.TRAPPED else None
    events.append(PendingEvent(LoanOpened(
        loan_id=loan_id, barcode=copy.barcode, title_id=copy.title_id, reader_id=reader.reader_id,
        branch=desk, item_type=copy.item_type, reader_category=reader.category,
        clc_class=title.clc_class, opened_at=rules.now, due_on=due, hold_id=hold_id,
        **_override_fields(override),
    ), (copy_s, reader_s)))
    if hold_id is not None:
        events.append(PendingEvent(
            HoldFulfilled(hold_id, copy.title_id, reader.reader_id, copy.barcode, loan_id),
            (title_stream(copy.title_id), reader_s, copy_s, hold_stream(hold_id)),
        ))
    return Decision(events, {
        "loan_id": loan_id, "barcode": copy.barcode, "title_id": copy.title_id,
        "title": title.title, "reader_id": reader.reader_id, "due_on": due.isoformat(),
        "hold_fulfilled": hold_id, "overridden": list(override.codes) if override else [],
    })


def decide_checkin(
    rules: Rules, copy: CopyState, reader: ReaderState | None, title: TitleState,
    branch: str, fine_id: str, drop: Rules | None = None,
) -> Decision:
    """Close the loan, charge any overdue fine, trap the copy for the next hold, and send it
    in transit if it belongs elsewhere. ``drop``: the rules at a book drop's return time (the
    loan closes then and the fine runs to then); the hold and transit happen now."""
    if copy.title_id is None:
        raise refusals.copy_not_found()
    if copy.status == CopyStatus.WITHDRAWN:
        raise refusals.copy_not_available(CopyStatus.WITHDRAWN)
    if transit.still_travelling(copy, branch):
        return Decision([], _transit_answer(copy, title, copy.in_transit_to or "", None))
    events: list[PendingEvent] = []
    if transit.arrives(copy, branch):
        events.append(transit.arrive(copy, branch, rules.now))
    if copy.status == CopyStatus.TRAPPED:
        trapped = (copy.trapped_for, copy.hold_id, copy.pickup_by, copy.pickup_branch)
        return _route(rules, copy, title, branch, events, trapped, {})
    at = drop or rules
    result: dict[str, Any] = {"barcode": copy.barcode, "title_id": copy.title_id,
                              "title": title.title, "fine_fen": 0, "loan_closed": None}
    copy_s = copy_stream(copy.barcode)
    if copy.status == CopyStatus.LOST:
        events.append(PendingEvent(CopyFound(copy.barcode, copy.title_id, rules.now),
                                   (copy_s, title_stream(copy.title_id))))
    if copy.status == CopyStatus.ON_LOAN and reader is not None and copy.loan_id is not None:
        assert reader.reader_id is not None and copy.due_on is not None
        calendar = rules.calendar(copy.branch)
        late = days_late(copy.due_on, at.today, calendar)
        loan = reader.loans.get(copy.loan_id)
        events.append(PendingEvent(LoanClosed(
            loan_id=copy.loan_id, barcode=copy.barcode, reader_id=reader.reader_id,
            title_id=copy.title_id, branch=branch, closed_at=at.now, due_on=copy.due_on,
            days_late=late, reader_category=reader.category, clc_class=title.clc_class,
            item_type=copy.item_type,
        ), (copy_s, reader_stream(reader.reader_id))))
        rule = rules.rule(reader.category, copy.item_type, loan.branch if loan else copy.branch)
        fine = overdue_fine(copy.due_on, at.today, rule, calendar)
        if fine > 0:
            events.append(PendingEvent(FineAssessed(
                fine_id=fine_id, reader_id=reader.reader_id, amount_fen=fine, kind="overdue",
                assessed_at=at.now, loan_id=copy.loan_id, barcode=copy.barcode,
                title_id=copy.title_id, days_late=late,
            ), (reader_stream(reader.reader_id),)))
        result.update(loan_closed=copy.loan_id, reader_id=reader.reader_id, fine_fen=fine,
                      days_late=late, returned_at=at.now.isoformat())
    trap = trap_next(rules, title, copy, reason="returned")
    events.extend(trap.events)
    return _route(rules, copy, title, branch, events, trap.trapped, result)


def _route(rules: Rules, copy: CopyState, title: TitleState, branch: str,
           events: list[PendingEvent], trapped: Any, result: dict[str, Any]) -> Decision:
    """Send the copy on if it belongs elsewhere; say where it goes."""
    pickup = trapped[3] if trapped is not None else None
    hold_id = trapped[1] if trapped is not None else None
    to = transit.destination(copy, branch, pickup)
    if to is not None:
        events.append(transit.send(copy, branch, to, hold_id, rules.now))
        result.update(_transit_answer(copy, title, to[0], trapped))
    else:
        result.update(_desk_answer(copy, title, trapped=trapped))
    return Decision(events, result)


def _desk_answer(copy: CopyState, title: TitleState, trapped: Any) -> dict[str, Any]:
    """What the desk should do with the copy in hand (the desk names the reader)."""
    if trapped is None:
        return {"barcode": copy.barcode, "title": title.title, "route": "shelf",
                "message_en": "Back to the shelf.", "message_zh": "放回书架。"}
    reader_id, hold_id, pickup_by, pickup_branch = trapped
    return {
        "barcode": copy.barcode, "title": title.title, "route": "hold_shelf",
        "hold_id": hold_id, "hold_reader_id": reader_id,
        "pickup_by": pickup_by.isoformat() if pickup_by else None,
        "pickup_branch": pickup_branch,
        "message_en": f"Put aside on the hold shelf until {pickup_by}.",
        "message_zh": f"请放到预约架，保留至 {pickup_by}。",
    }


def _transit_answer(copy: CopyState, title: TitleState, to: str, trapped: Any) -> dict[str, Any]:
    answer = {"barcode": copy.barcode, "title": title.title, "route": "transit",
              "transit_to": to, "message_en": f"Send in transit to {to}.",
              "message_zh": f"请转运至 {to}。"}
    if trapped is not None:
        reader_id, hold_id, pickup_by, pickup_branch = trapped
        answer.update(hold_id=hold_id, hold_reader_id=reader_id, pickup_branch=pickup_branch,
                      pickup_by=pickup_by.isoformat() if pickup_by else None)
    return answer


def decide_renew(rules: Rules, reader: ReaderState, copy: CopyState, title: TitleState,
                 allow: frozenset[str] = frozenset(), override: Override | None = None,
                 ) -> Decision:
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
    _unless_blocked(rules, reader, allow)
    rule = rules.rule(reader.category, copy.item_type, loan.branch)
    if copy.renewals_used >= rule.renewals_allowed:
        _soft(allow, refusals.renewal_limit_reached(rule.renewals_allowed))
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
        clc_class=title.clc_class, **_override_fields(override),
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
    return Decision(events, {
        "loan_id": copy.loan_id, "barcode": copy.barcode, "due_on": due.isoformat(),
        "renewals_used": used, "renewals_left": max(0, rule.renewals_allowed - used),
        "fine_fen": fine, "overridden": list(override.codes) if override else [],
    })


def decide_mark_lost(
    rules: Rules, reader: ReaderState, copy: CopyState, fine_id: str
) -> Decision:
    """A reader lost a copy: the loan ends and the replacement cost is charged."""
    if copy.status != CopyStatus.ON_LOAN or copy.loan_id is None or reader.reader_id is None:
        raise refusals.loan_not_found()
    assert copy.title_id is not None
    charge = replacement_charge(copy.price_fen, DEFAULT_REPLACEMENT_FEN)
    reader_s = reader_stream(reader.reader_id)
    events = [
        PendingEvent(CopyMarkedLost(copy.barcode, copy.title_id, reader.reader_id, copy.loan_id,
                                    charge, rules.now),
                     (copy_stream(copy.barcode), reader_s, title_stream(copy.title_id))),
        PendingEvent(FineAssessed(
            fine_id=fine_id, reader_id=reader.reader_id, amount_fen=charge, kind="lost",
            assessed_at=rules.now, loan_id=copy.loan_id, barcode=copy.barcode,
            title_id=copy.title_id,
        ), (reader_s,)),
    ]
    return Decision(events, {"barcode": copy.barcode, "loan_id": copy.loan_id,
                            "charge_fen": charge, "fine_id": fine_id})
