"""What kiosks read about readers and copies, from the streams so it never lags a command.

Counts, statuses and lists come from the reader, copy and title streams (the same state the
command handlers decide on), so a patron-information request right after a checkout sees
the loan even when projections are folded by a Celery worker. Projections are used only
for labels that may lag harmlessly (a waiting hold's title, a fine's barcode).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from events.loans import LoanOpened, LoanRenewed
from events.readers import ReaderRegistered, ReaderUpdated
from events.store import StoredEvent
from events.streams import copy_stream, reader_stream, title_stream
from events.vocabulary import CopyStatus
from projections.catalogue import get_title
from projections.fines import list_fines
from service.adapters.sip2.results import ItemInfo, ItemStatus, PatronInfo
from service.adapters.sip2.status import format_fen
from service.application.context import Ports
from service.application.execute import Outcome
from service.application.readers import reader_from, reader_id_for_card
from service.application.settings import current_rules
from service.domain.catalogue.title_state import TitleState, fold_title
from service.domain.circulation.copy_state import CopyState, fold_copy
from service.domain.library.policy import hold_limit_for, loan_limit_for
from service.domain.library.rules import current_blocks
from service.domain.readers.reader_state import ReaderState, fold_reader

# Lector's block reasons (service.domain.readers.blocks) -> the SIP2 server's reason names.
BLOCK_REASONS = {
    "manual": "manual",
    "fines_over_threshold": "fines_over_limit",
    "overdue_too_long": "overdue_loans",
    "card_expired": "card_expired",
}
ITEM_STATUSES = {
    CopyStatus.AVAILABLE: ItemStatus.AVAILABLE,
    CopyStatus.ON_LOAN: ItemStatus.ON_LOAN,
    CopyStatus.TRAPPED: ItemStatus.ON_HOLD_SHELF,
    CopyStatus.LOST: ItemStatus.LOST,
    CopyStatus.WITHDRAWN: ItemStatus.WITHDRAWN,
    CopyStatus.MISSING: ItemStatus.MISSING,
}


@dataclass(frozen=True)
class ReaderView:
    """A reader's decision state plus the (decrypted) name, read from their stream."""

    state: ReaderState
    name: str

    @property
    def reader_id(self) -> str:
        """Return the reader id (always set for a found reader)."""
        return self.state.reader_id or ""


def reader_name(events: Iterable[StoredEvent]) -> str:
    """Return the reader's current name ('' once erased)."""
    name = ""
    for stored in events:
        event = stored.event
        if isinstance(event, ReaderRegistered) or (
            isinstance(event, ReaderUpdated) and "name" in event.changed
        ):
            name = event.name or ""
    return name


def reader_by_id(ports: Ports, reader_id: str) -> ReaderView | None:
    """Return a reader's view, or None when unknown or erased."""
    loaded = ports.store.load([reader_stream(reader_id)])
    state = fold_reader(loaded.events, reader_id)
    if not state.exists or state.erased:
        return None
    return ReaderView(state, reader_name(loaded.events))


def reader_by_card(ports: Ports, card: str) -> ReaderView | None:
    """Return the view of the reader holding this card, or None."""
    reader_id = reader_id_for_card(ports, card)
    return reader_by_id(ports, reader_id) if reader_id else None


def load_copy(ports: Ports, barcode: str) -> CopyState | None:
    """Return a copy's state from its stream, or None for an unknown barcode."""
    copy = fold_copy(ports.store.load([copy_stream(barcode)]).events, barcode)
    return copy if copy.title_id is not None else None


def last_lent_at(ports: Ports, barcode: str, *, default: datetime) -> datetime:
    """Return when the copy was last lent or renewed (``default`` if never)."""
    moments = [e.event.opened_at if isinstance(e.event, LoanOpened) else e.event.renewed_at
               for e in ports.store.load([copy_stream(barcode)]).events
               if isinstance(e.event, LoanOpened | LoanRenewed)]
    return max(moments, default=default)


def checkin_parties(ports: Ports, outcome: Outcome, barcode: str, reader_id: str | None
                    ) -> tuple[CopyState | None, ReaderState | None]:
    """The copy and the returning reader as the check-in decided on them (read again only for
    a replayed key, whose streams were not loaded)."""
    if outcome.loaded is None:
        view = reader_by_id(ports, reader_id) if reader_id else None
        return load_copy(ports, barcode), view.state if view else None
    copy = fold_copy(outcome.loaded.events, barcode)
    reader = reader_from(outcome.loaded, reader_id) if reader_id else None
    return (copy if copy.title_id is not None else None,
            reader if reader is not None and reader.exists else None)


def decided_title(ports: Ports, outcome: Outcome, barcode: str) -> str:
    """The title name of the copy a command decided on, from its loaded title stream."""
    copy = fold_copy(outcome.loaded.events, barcode) if outcome.loaded is not None else None
    if copy is None or copy.title_id is None:
        copy = load_copy(ports, barcode)
    if copy is None or copy.title_id is None:
        return ""
    if outcome.loaded is not None:
        name = fold_title(outcome.loaded.events, copy.title_id).title
        if name:
            return name
    return load_title(ports, copy.title_id).title or copy.title_id


def load_title(ports: Ports, title_id: str) -> TitleState:
    """Return a title's state (name, copies, hold queue) from its stream."""
    return fold_title(ports.store.load([title_stream(title_id)]).events, title_id)


def title_label(ports: Ports, engine: Engine, title_id: str) -> str:
    """Return a title's name from the catalogue read model, else from its stream."""
    with engine.connect() as conn:
        row = get_title(conn, title_id)
    return str(row["title"]) if row else load_title(ports, title_id).title or title_id


def patron_info(ports: Ports, engine: Engine, view: ReaderView, card: str) -> PatronInfo:
    """Return what a kiosk shows about a reader: blocks, counts, limits, fines, lists."""
    rules = current_rules(ports)
    state = view.state
    loans = sorted(state.loans.values(), key=lambda loan: (loan.due_on, loan.barcode))
    overdue = [loan.barcode for loan in loans if loan.due_on < rules.today]
    ready = [h.barcode for h in state.holds.values() if h.barcode]
    waiting = [h.title_id for h in state.holds.values() if not h.barcode]
    blocks = [BLOCK_REASONS.get(r.value, "manual") for r in current_blocks(rules, state)]
    return PatronInfo(
        card=card, name=view.name, language=state.language, block_reasons=tuple(blocks),
        loan_count=len(loans), overdue_count=len(overdue), holds_ready_count=len(ready),
        holds_waiting_count=len(waiting), fine_item_count=len(state.fines),
        loan_limit=loan_limit_for(rules.matrix, state.category),
        hold_limit=hold_limit_for(rules.matrix, state.category),
        fines_fen=state.fines_owed_fen, fine_limit_fen=rules.matrix.block_fine_threshold_fen,
        charged_items=tuple(loan.barcode for loan in loans), overdue_items=tuple(overdue),
        hold_items=tuple(ready),
        unavailable_hold_items=tuple(title_label(ports, engine, t) for t in waiting),
        fine_items=_fine_items(engine, view),
    )


def _fine_items(engine: Engine, view: ReaderView) -> tuple[str, ...]:
    """One line per open fine: the barcode it is for (or its id) and the amount owed."""
    if not view.state.fines:
        return ()
    with engine.connect() as conn:
        rows: dict[str, dict[str, Any]] = {
            r["fine_id"]: r for r in list_fines(conn, view.reader_id, open_only=True)
        }
    lines = []
    for fine_id, owed in view.state.fines.items():
        row = rows.get(fine_id)
        label = (row or {}).get("barcode") or fine_id
        lines.append(f"{label} {format_fen(owed)}")
    return tuple(lines)


def item_info(ports: Ports, barcode: str, owner: str) -> ItemInfo | None:
    """Return a copy's circulation status, due date, hold queue and locations."""
    copy = load_copy(ports, barcode)
    if copy is None or copy.title_id is None:
        return None
    title = load_title(ports, copy.title_id)
    trapped_for = None
    if copy.status == CopyStatus.TRAPPED and copy.trapped_for:
        holder = reader_by_id(ports, copy.trapped_for)
        trapped_for = holder.state.card_number if holder else None
    return ItemInfo(
        barcode=barcode, title=title.title, status=ITEM_STATUSES.get(copy.status, ItemStatus.OTHER),
        due_date=copy.due_on if copy.status == CopyStatus.ON_LOAN else None,
        hold_queue_length=len(title.waiting_for(copy.enumeration)), permanent_location=copy.branch,
        current_location=copy.branch, trapped_for_card=trapped_for,
        hold_pickup_date=copy.pickup_by if copy.status == CopyStatus.TRAPPED else None,
        owner=owner, volume=" ".join(v for v in (copy.enumeration, copy.chronology) if v) or None,
    )
