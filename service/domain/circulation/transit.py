"""Where a copy goes after it is checked in, and its arrival (pure).

A copy belongs to its home branch. Checked in elsewhere, it goes in transit: to the pickup
branch of the hold it was just set aside for, else home. A copy in transit is received only
at the branch it was sent to; scanned anywhere else it stays on its way.
"""

from __future__ import annotations

from datetime import datetime

from events.store import PendingEvent
from events.streams import copy_stream, title_stream
from events.transit import CopyArrived, CopySentInTransit
from service.domain.circulation.copy_state import CopyState


def same(a: str, b: str) -> bool:
    """Branch codes compare without case (kiosks report ``MAIN`` for ``main``, as SIP2 does)."""
    return a.casefold() == b.casefold()


def destination(copy: CopyState, here: str, pickup_branch: str | None) -> tuple[str, str] | None:
    """(branch, reason) the copy must travel to from ``here``, or None if it stays."""
    if pickup_branch is not None:
        return None if same(pickup_branch, here) else (pickup_branch, "hold")
    return None if not copy.branch or same(copy.branch, here) else (copy.branch, "home")


def arrives(copy: CopyState, here: str) -> bool:
    """Scanned at the branch it was sent to."""
    return copy.in_transit_to is not None and same(copy.in_transit_to, here)


def still_travelling(copy: CopyState, here: str) -> bool:
    return copy.in_transit_to is not None and not same(copy.in_transit_to, here)


def _streams(copy: CopyState) -> tuple[str, ...]:
    assert copy.title_id is not None
    return (copy_stream(copy.barcode), title_stream(copy.title_id))


def send(copy: CopyState, here: str, to: tuple[str, str], hold_id: str | None,
         now: datetime) -> PendingEvent:
    assert copy.title_id is not None
    branch, reason = to
    return PendingEvent(CopySentInTransit(
        barcode=copy.barcode, title_id=copy.title_id, from_branch=here, to_branch=branch,
        sent_at=now, reason=reason, hold_id=hold_id if reason == "hold" else None,
    ), _streams(copy))


def arrive(copy: CopyState, here: str, now: datetime) -> PendingEvent:
    assert copy.title_id is not None
    return PendingEvent(CopyArrived(copy.barcode, copy.title_id, here, now), _streams(copy))
