"""Facts about copies moving between branches: sent in transit, arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.base import Event


@dataclass(frozen=True)
class CopySentInTransit(Event, type_name="copy.sent_in_transit", version=1):
    """A copy checked in away from where it belongs went on the van to ``to_branch``:
    its home branch (``reason`` "home"), or a hold's pickup branch ("hold", ``hold_id``)."""

    barcode: str
    title_id: str
    from_branch: str
    to_branch: str
    sent_at: datetime
    reason: str
    hold_id: str | None = None


@dataclass(frozen=True)
class CopyArrived(Event, type_name="copy.arrived", version=1):
    """A copy in transit was received at the branch it was sent to."""

    barcode: str
    title_id: str
    branch: str
    arrived_at: datetime
