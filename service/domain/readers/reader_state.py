"""A reader's decision state, folded from the events of their stream (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from events.catalogue import CopyMarkedLost
from events.fines import FineAssessed, FinePaid, FineWaived
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import (
    ReaderBlocked,
    ReaderCategoryChanged,
    ReaderErased,
    ReaderPreferencesChanged,
    ReaderRegistered,
    ReaderUnblocked,
    ReaderUpdated,
)
from events.store import StoredEvent


@dataclass(frozen=True)
class LoanInfo:
    loan_id: str
    barcode: str
    title_id: str
    due_on: date
    item_type: str
    branch: str
    renewals_used: int = 0


@dataclass(frozen=True)
class HoldInfo:
    hold_id: str
    title_id: str
    pickup_branch: str
    barcode: str | None = None  # set while a copy is trapped for this hold
    pickup_by: date | None = None


@dataclass
class ReaderState:
    reader_id: str | None = None
    card_number: str | None = None
    category: str = ""
    language: str = "zh-CN"
    expires_on: date | None = None
    manual_block: str | None = None
    erased: bool = False
    keep_history: bool = True
    notice_channels: tuple[str, ...] = ()
    digest: bool = False
    marketing: bool = False  # consent to campaigns (off until the reader says yes)
    loans: dict[str, LoanInfo] = field(default_factory=dict)
    holds: dict[str, HoldInfo] = field(default_factory=dict)
    fines: dict[str, int] = field(default_factory=dict)  # fine_id -> amount still owed

    @property
    def exists(self) -> bool:
        return self.reader_id is not None

    @property
    def fines_owed_fen(self) -> int:
        return sum(self.fines.values())

    @property
    def oldest_due(self) -> date | None:
        return min((loan.due_on for loan in self.loans.values()), default=None)

    def loan_for_barcode(self, barcode: str) -> LoanInfo | None:
        return next((ln for ln in self.loans.values() if ln.barcode == barcode), None)


def fold_reader(events: Iterable[StoredEvent], reader_id: str | None = None,
                start: ReaderState | None = None) -> ReaderState:
    """Fold the events that concern one reader (others in the iterable are ignored), from
    nothing or from a snapshot's state (which is not changed)."""
    state = ReaderState() if start is None else state_from_data(state_to_data(start))
    for stored in events:
        e = stored.event
        if reader_id is not None and getattr(e, "reader_id", reader_id) != reader_id:
            continue
        _apply(state, e)
    return state


def _apply(s: ReaderState, e: object) -> None:
    match e:
        case ReaderRegistered():
            s.reader_id, s.card_number, s.category = e.reader_id, e.card_number, e.category
            s.language, s.expires_on, s.keep_history = e.language, e.expires_on, e.keep_history
            s.notice_channels = e.notice_channels
        case ReaderUpdated():
            if "expires_on" in e.changed:
                s.expires_on = e.expires_on
        case ReaderCategoryChanged():
            s.category = e.category
        case ReaderBlocked():
            s.manual_block = e.reason
        case ReaderUnblocked():
            s.manual_block = None
        case ReaderPreferencesChanged():
            s.language, s.keep_history = e.language, e.keep_history
            s.notice_channels, s.digest = e.notice_channels, e.digest
            s.marketing = e.marketing
        case ReaderErased():
            s.erased = True
        case LoanOpened():
            s.loans[e.loan_id] = LoanInfo(
                e.loan_id, e.barcode, e.title_id, e.due_on, e.item_type, e.branch
            )
        case LoanRenewed():
            if e.loan_id in s.loans:
                s.loans[e.loan_id] = replace(
                    s.loans[e.loan_id], due_on=e.due_on, renewals_used=e.renewals_used
                )
        case LoanClosed():
            s.loans.pop(e.loan_id, None)
        case CopyMarkedLost():
            if e.loan_id is not None:
                s.loans.pop(e.loan_id, None)
        case HoldPlaced():
            s.holds[e.hold_id] = HoldInfo(e.hold_id, e.title_id, e.pickup_branch)
        case HoldTrapped():
            if e.hold_id in s.holds:
                s.holds[e.hold_id] = replace(
                    s.holds[e.hold_id], barcode=e.barcode, pickup_by=e.pickup_by
                )
        case HoldFulfilled() | HoldExpired() | HoldCancelled():
            s.holds.pop(e.hold_id, None)
        case FineAssessed():
            s.fines[e.fine_id] = e.amount_fen
        case FinePaid():
            for fine_id, amount in e.allocations.items():
                _reduce(s, fine_id, amount)
        case FineWaived():
            _reduce(s, e.fine_id, e.amount_fen)


def _reduce(s: ReaderState, fine_id: str, amount: int) -> None:
    left = s.fines.get(fine_id, 0) - amount
    if left > 0:
        s.fines[fine_id] = left
    else:
        s.fines.pop(fine_id, None)


# The snapshot of a reader's decision state (events/snapshots.py). It holds what decisions
# need and no personal data (no name, phone, address: a decision never needs them). Bump the
# schema when ReaderState or its fold changes: older snapshots are then ignored and retaken.
STATE_SCHEMA = 2  # 2: marketing consent (campaigns)


def state_to_data(s: ReaderState) -> dict[str, Any]:
    return {
        "reader_id": s.reader_id, "card_number": s.card_number, "category": s.category,
        "language": s.language, "expires_on": _day(s.expires_on),
        "manual_block": s.manual_block, "erased": s.erased, "keep_history": s.keep_history,
        "notice_channels": list(s.notice_channels), "digest": s.digest,
        "marketing": s.marketing,
        "loans": [[ln.loan_id, ln.barcode, ln.title_id, ln.due_on.isoformat(), ln.item_type,
                   ln.branch, ln.renewals_used] for ln in s.loans.values()],
        "holds": [[h.hold_id, h.title_id, h.pickup_branch, h.barcode, _day(h.pickup_by)]
                  for h in s.holds.values()],
        "fines": [[fine_id, owed] for fine_id, owed in s.fines.items()],
    }


def state_from_data(d: Mapping[str, Any]) -> ReaderState:
    loans = [LoanInfo(a, b, t, date.fromisoformat(due), it, br, int(n))
             for a, b, t, due, it, br, n in d["loans"]]
    holds = [HoldInfo(h, t, p, b, _undate(by)) for h, t, p, b, by in d["holds"]]
    return ReaderState(
        reader_id=d["reader_id"], card_number=d["card_number"], category=d["category"],
        language=d["language"], expires_on=_undate(d["expires_on"]),
        manual_block=d["manual_block"], erased=d["erased"], keep_history=d["keep_history"],
        notice_channels=tuple(d["notice_channels"]), digest=d["digest"],
        marketing=d["marketing"],
        loans={ln.loan_id: ln for ln in loans}, holds={h.hold_id: h for h in holds},
        fines={f: int(o) for f, o in d["fines"]},
    )


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _undate(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
