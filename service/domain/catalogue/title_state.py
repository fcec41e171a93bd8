"""A title's decision state: its class, copies and hold queue, folded from its stream (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from events.catalogue import CopyAdded, CopyWithdrawn, TitleCatalogued, TitleUpdated
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.store import StoredEvent


@dataclass(frozen=True)
class QueuedHold:
    hold_id: str
    reader_id: str
    pickup_branch: str
    placed_position: int  # log position of HoldPlaced: the queue order
    reader_category: str = ""
    enumeration: str | None = None  # a volume hold waits for that volume only

    def takes(self, enumeration: str | None) -> bool:
        """Whether a copy of this volume (None: a single-volume copy) may fill this hold."""
        return self.enumeration is None or self.enumeration == enumeration


@dataclass
class TitleState:
    title_id: str
    exists: bool = False
    title: str = ""
    clc_class: str | None = None
    copies: set[str] = field(default_factory=set)
    volumes: dict[str, str | None] = field(default_factory=dict)  # barcode -> enumeration
    waiting: list[QueuedHold] = field(default_factory=list)  # FIFO, not yet trapped
    trapped: dict[str, tuple[QueuedHold, str, date]] = field(default_factory=dict)

    def hold_of(self, hold_id: str) -> QueuedHold | None:
        found = next((h for h in self.waiting if h.hold_id == hold_id), None)
        return found or (self.trapped[hold_id][0] if hold_id in self.trapped else None)

    def reader_holds(self, reader_id: str) -> list[QueuedHold]:
        trapped = [h for h, _, _ in self.trapped.values()]
        return [h for h in [*self.waiting, *trapped] if h.reader_id == reader_id]

    def waiting_for(self, enumeration: str | None) -> list[QueuedHold]:
        """Waiting holds a copy of this volume could fill, first come first served."""
        return [h for h in self.waiting if h.takes(enumeration)]

    def queue_position(self, hold_id: str) -> int | None:
        """1-based place among the holds waiting in the same queue (title or volume)."""
        hold = next((h for h in self.waiting if h.hold_id == hold_id), None)
        if hold is None:
            return None
        same = [h for h in self.waiting if h.enumeration == hold.enumeration]
        return same.index(hold) + 1


def fold_title(events: Iterable[StoredEvent], title_id: str) -> TitleState:
    s = TitleState(title_id)
    for stored in events:
        e = stored.event
        if getattr(e, "title_id", None) != title_id:
            continue
        match e:
            case TitleCatalogued():
                s.exists, s.title, s.clc_class = True, e.title, e.clc_class
            case TitleUpdated():
                s.title = e.changes.get("title", s.title)
                s.clc_class = e.changes.get("clc_class", s.clc_class)
            case CopyAdded():
                s.copies.add(e.barcode)
                s.volumes[e.barcode] = e.enumeration
            case CopyWithdrawn():
                s.copies.discard(e.barcode)
                s.volumes.pop(e.barcode, None)
            case HoldPlaced():
                s.waiting.append(QueuedHold(e.hold_id, e.reader_id, e.pickup_branch,
                                            stored.position, e.reader_category, e.enumeration))
            case HoldTrapped():
                hold = next((h for h in s.waiting if h.hold_id == e.hold_id), None)
                if hold is not None:
                    s.waiting.remove(hold)
                    s.trapped[e.hold_id] = (hold, e.barcode, e.pickup_by)
            case HoldFulfilled() | HoldExpired() | HoldCancelled():
                s.waiting = [h for h in s.waiting if h.hold_id != e.hold_id]
                s.trapped.pop(e.hold_id, None)
    return s
