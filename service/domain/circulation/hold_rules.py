"""Decisions for holds: place, cancel, expire, and pass a copy to the next reader (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from events.holds import HoldCancelled, HoldExpired, HoldPlaced, HoldTrapped
from events.store import PendingEvent
from service.application.catalogue import copy_stream, title_stream
from service.application.readers import reader_stream
from service.domain.catalogue.title_state import TitleState
from service.domain.circulation import refusals
from service.domain.circulation.copy_state import CopyState
from service.domain.library.policy import hold_limit_for
from service.domain.library.rules import Rules, refuse_if_blocked
from service.domain.readers.reader_state import ReaderState


def hold_stream(hold_id: str) -> str:
    return f"hold-{hold_id}"


@dataclass(frozen=True)
class Trap:
    events: list[PendingEvent] = field(default_factory=list)
    # (reader_id, hold_id, pickup_by, pickup_branch) of the reader the copy now waits for
    trapped: tuple[str, str, date, str] | None = None


def trap_next(rules: Rules, title: TitleState, copy: CopyState, reason: str) -> Trap:
    """Set the copy aside for the first reader waiting for it (first come, first served).

    A title-level hold takes any copy; a volume hold only a copy of that volume, so the queue
    is FIFO per title for title-level holds and per volume for volume holds.
    """
    waiting = title.waiting_for(copy.enumeration)
    if not waiting or copy.title_id is None:
        return Trap()
    hold = waiting[0]
    rule = rules.rule(hold.reader_category, copy.item_type, hold.pickup_branch)
    pickup_by = rules.pickup_deadline(rule.pickup_days, hold.pickup_branch)
    why = (f"{reason}: first of {len(waiting)} waiting (placed at log position "
           f"{hold.placed_position})")
    event = HoldTrapped(
        hold_id=hold.hold_id, title_id=copy.title_id, reader_id=hold.reader_id,
        barcode=copy.barcode, pickup_branch=hold.pickup_branch, pickup_by=pickup_by,
        trapped_at=rules.now, reason=why,
    )
    streams = (title_stream(copy.title_id), reader_stream(hold.reader_id),
               copy_stream(copy.barcode), hold_stream(hold.hold_id))
    return Trap([PendingEvent(event, streams)],
                (hold.reader_id, hold.hold_id, pickup_by, hold.pickup_branch))


def decide_place_hold(
    rules: Rules, reader: ReaderState, title: TitleState, hold_id: str, pickup_branch: str,
    enumeration: str | None = None,
) -> tuple[list[PendingEvent], dict[str, Any]]:
    if not title.exists:
        raise refusals.title_not_found()
    if enumeration is not None and enumeration not in title.volumes.values():
        raise refusals.volume_not_found(enumeration)
    refuse_if_blocked(rules, reader)
    assert reader.reader_id is not None
    on_loan = [loan for loan in reader.loans.values() if loan.title_id == title.title_id]
    if any(enumeration is None or title.volumes.get(loan.barcode) == enumeration
           for loan in on_loan):
        raise refusals.already_on_loan()
    # One hold per reader per queue: a reader may wait for v.1 and v.2 of a set at once.
    if any(h.enumeration == enumeration for h in title.reader_holds(reader.reader_id)):
        raise refusals.already_held()
    limit = hold_limit_for(rules.matrix, reader.category)
    if len(reader.holds) >= limit:
        raise refusals.hold_limit_reached(limit)
    event = HoldPlaced(hold_id=hold_id, title_id=title.title_id, reader_id=reader.reader_id,
                       pickup_branch=pickup_branch, placed_at=rules.now,
                       reader_category=reader.category, clc_class=title.clc_class,
                       enumeration=enumeration)
    streams = (title_stream(title.title_id), reader_stream(reader.reader_id), hold_stream(hold_id))
    return [PendingEvent(event, streams)], {
        "hold_id": hold_id, "title_id": title.title_id, "reader_id": reader.reader_id,
        "queue_position": sum(h.enumeration == enumeration for h in title.waiting) + 1,
        "pickup_branch": pickup_branch, "enumeration": enumeration,
    }


def decide_cancel_hold(
    rules: Rules, title: TitleState, hold_id: str, copy: CopyState | None, by: str, reason: str
) -> tuple[list[PendingEvent], dict[str, Any]]:
    """Cancel a hold; a copy that was set aside for it passes to the next reader."""
    hold = title.hold_of(hold_id)
    if hold is None:
        raise refusals.hold_not_found()
    barcode = title.trapped[hold_id][1] if hold_id in title.trapped else None
    streams = [title_stream(title.title_id), reader_stream(hold.reader_id), hold_stream(hold_id)]
    if barcode is not None:
        streams.append(copy_stream(barcode))
    events = [PendingEvent(HoldCancelled(hold_id, title.title_id, hold.reader_id, barcode,
                                         rules.now, by, reason), tuple(streams))]
    result: dict[str, Any] = {"hold_id": hold_id, "status": "cancelled", "passed_to": None}
    if barcode is not None and copy is not None:
        trap = trap_next(rules, title, copy, reason="previous hold cancelled")
        events.extend(trap.events)
        result["passed_to"] = trap.trapped[0] if trap.trapped else None
    return events, result


def decide_expire_hold(
    rules: Rules, title: TitleState, hold_id: str, copy: CopyState | None
) -> tuple[list[PendingEvent], dict[str, Any]]:
    """Expire a trapped hold whose pickup deadline has passed, and pass the copy on."""
    if hold_id not in title.trapped:
        return [], {"hold_id": hold_id, "expired": False}
    hold, barcode, pickup_by = title.trapped[hold_id]
    if pickup_by >= rules.today:
        return [], {"hold_id": hold_id, "expired": False}
    streams = (title_stream(title.title_id), reader_stream(hold.reader_id), hold_stream(hold_id),
               copy_stream(barcode))
    events = [PendingEvent(HoldExpired(hold_id, title.title_id, hold.reader_id, barcode,
                                       rules.now), streams)]
    passed_to = None
    if copy is not None:
        trap = trap_next(rules, title, copy, reason="previous hold expired")
        events.extend(trap.events)
        passed_to = trap.trapped[0] if trap.trapped else None
    return events, {"hold_id": hold_id, "expired": True, "passed_to": passed_to}
