"""Fine commands: pay (partial allowed, oldest fine first) and waive (with a reason)."""

from __future__ import annotations

import uuid

from events.fines import FinePaid, FineWaived
from events.store import LoadedStreams, PendingEvent
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.readers import load_account, reader_stream
from service.domain.circulation import refusals
from service.domain.readers.reader_state import ReaderState


def allocate(reader: ReaderState, amount_fen: int) -> dict[str, int]:
    """Spread a payment over open fines, oldest first (pure)."""
    left, allocations = amount_fen, {}
    for fine_id, owed in reader.fines.items():
        if left <= 0:
            break
        share = min(owed, left)
        allocations[fine_id] = share
        left -= share
    return allocations


def pay_fines(ports: Ports, actor: Actor, reader_id: str, amount_fen: int, method: str,
              key: str | None) -> Outcome:
    stream = reader_stream(reader_id)
    payment_id = uuid.uuid4().hex[:16]

    def decide(loaded: LoadedStreams) -> Decision:
        reader = load_account(loaded, reader_id)
        if amount_fen > reader.fines_owed_fen:
            raise refusals.payment_exceeds_balance(reader.fines_owed_fen)
        allocations = allocate(reader, amount_fen)
        event = FinePaid(payment_id, reader_id, amount_fen, ports.clock(), allocations, method)
        return Decision([PendingEvent(event, (stream,))], {
            "payment_id": payment_id, "reader_id": reader_id, "amount_fen": amount_fen,
            "balance_fen": reader.fines_owed_fen - amount_fen, "allocations": allocations,
        })

    return execute(ports, actor, "pay_fines", [stream], decide, key)


def waive_fine(ports: Ports, actor: Actor, reader_id: str, fine_id: str, amount_fen: int | None,
               reason: str, key: str | None) -> Outcome:
    stream = reader_stream(reader_id)

    def decide(loaded: LoadedStreams) -> Decision:
        reader = load_account(loaded, reader_id)
        owed = reader.fines.get(fine_id)
        if owed is None:
            raise refusals.fine_not_found()
        amount = owed if amount_fen is None else amount_fen
        if amount > owed:
            raise refusals.payment_exceeds_balance(owed)
        event = FineWaived(fine_id, reader_id, amount, ports.clock(), reason)
        return Decision([PendingEvent(event, (stream,))], {
            "fine_id": fine_id, "waived_fen": amount,
            "balance_fen": reader.fines_owed_fen - amount,
        })

    return execute(ports, actor, "waive_fine", [stream], decide, key)
