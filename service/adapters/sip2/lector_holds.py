"""Holds and payments at the kiosk, plus what every Lector SIP2 command shares."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine

from projections.catalogue import availability_counts
from service.adapters.sip2 import lector_reads as reads
from service.adapters.sip2.results import FeePaidResult, HoldResult, KioskAccount, Outcome, Text
from service.application import circulation
from service.application.catalogue import copy_title_id
from service.application.commands import CancelHold, PayFines, PlaceHold
from service.application.context import Actor, Ports, Principal
from service.application.ecard import resolve_card
from service.application.execute import first_outcome, scoped_key
from service.application.handlers import handle
from service.domain.circulation import refusals
from service.domain.errors import DomainError

if TYPE_CHECKING:
    from service.bootstrap import Lector

R = TypeVar("R", bound=Outcome)

# Lector codes the SIP2 server knows under another name (its screen texts are keyed by them).
CODE_ALIASES = {"loan_not_found": "not_on_loan", "already_held": "hold_exists",
                "reader_erased": "reader_not_found"}
PAYMENT_METHODS = {"00": "cash", "01": "card", "02": "card"}  # SIP2 payment type -> Lector
CANCEL_REASON = "cancelled at a self-check kiosk"


def as_day(value: Any) -> date | None:
    """Read an ISO date from a command result (None when absent)."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def refused(cls: type[R], error: DomainError, **extra: Any) -> R:
    """Turn a refusal into a SIP2 result with its stable code and bilingual message."""
    return cls(ok=False, code=CODE_ALIASES.get(error.code, error.code),
               message=Text(error.zh, error.en), **extra)


class HoldAndFeeCommands:
    """Place and cancel holds, record payments; mixed into LectorSip2Backend."""

    ports: Ports
    engine: Engine
    lector: Lector

    def _card(self, card: str) -> str:
        """The card number a scanned value stands for (a portal e-card code, or the card)."""
        return resolve_card(self.lector.config.secret_key, card, self.ports.clock())

    @staticmethod
    def actor(kiosk: KioskAccount) -> Actor:
        """Return who a kiosk's commands are recorded as: kiosk:<id> on channel sip2."""
        return Actor(Principal("kiosk", kiosk.kiosk_id, "desk"), "sip2")

    def _title_for(self, barcode: str | None, title_id: str | None) -> str:
        found = copy_title_id(self.ports, barcode) if barcode else title_id
        if found is None:
            raise refusals.copy_not_found()
        return found

    def place_hold(
        self, kiosk: KioskAccount, card: str, *, barcode: str | None, title_id: str | None,
        pickup_location: str | None, idempotency_key: str | None,
    ) -> HoldResult:
        """Join the queue of the title of ``barcode`` (or ``title_id``)."""
        pickup = pickup_location or kiosk.location
        try:
            reader_id = circulation.reader_for_card(self.ports, self._card(card))
            wanted = self._title_for(barcode, title_id)
            outcome = handle(self.ports, self.actor(kiosk), PlaceHold(reader_id, wanted, pickup),
                             idempotency_key)
        except DomainError as error:
            return refused(HoldResult, error)
        with self.engine.connect() as conn:
            on_shelf = availability_counts(conn, [wanted])[wanted].get("available", 0)
        return HoldResult(
            ok=True, title=reads.title_label(self.ports, self.engine, wanted), title_id=wanted,
            available=on_shelf > 0, queue_position=outcome.result.get("queue_position"),
            pickup_location=str(outcome.result.get("pickup_branch") or pickup),
        )

    def cancel_hold(
        self, kiosk: KioskAccount, card: str, *, barcode: str | None, title_id: str | None,
        idempotency_key: str | None,
    ) -> HoldResult:
        """Cancel the reader's hold on the title; a copy set aside passes to the next reader."""
        actor = self.actor(kiosk)
        try:
            reader_id = circulation.reader_for_card(self.ports, self._card(card))
            wanted = self._title_for(barcode, title_id)
            replay = self._replayed("cancel_hold", actor, idempotency_key)
            if replay is None:
                view = reads.reader_by_id(self.ports, reader_id)
                hold = next((h for h in view.state.holds.values() if h.title_id == wanted),
                            None) if view else None
                if hold is None:
                    raise refusals.hold_not_found()
                handle(self.ports, actor,
                       CancelHold(hold.hold_id, CANCEL_REASON, only_reader=reader_id),
                       idempotency_key)
        except DomainError as error:
            return refused(HoldResult, error)
        return HoldResult(ok=True, title=reads.title_label(self.ports, self.engine, wanted),
                          title_id=wanted)

    def _replayed(self, command: str, actor: Actor, key: str | None) -> Any:
        """The first result of a resent command.

        Cancelling finds the hold through the reader's current holds, which a resend no
        longer lists, so the key is looked up before locating anything.
        """
        return first_outcome(self.ports, scoped_key(command, actor, key))

    def fee_paid(
        self, kiosk: KioskAccount, card: str, amount_fen: int, *, fee_type: str,
        payment_type: str, fee_id: str | None, transaction_id: str | None,
        idempotency_key: str | None,
    ) -> FeePaidResult:
        """Record a payment; it settles the oldest fines first (fee type and id are not used)."""
        method = PAYMENT_METHODS.get(payment_type, "other")
        try:
            reader_id = circulation.reader_for_card(self.ports, self._card(card))
            outcome = handle(self.ports, self.actor(kiosk),
                             PayFines(reader_id, amount_fen, method), idempotency_key)
        except DomainError as error:
            return refused(FeePaidResult, error, transaction_id=transaction_id or "")
        return FeePaidResult(ok=True, transaction_id=str(outcome.result.get("payment_id", "")),
                             balance_fen=int(outcome.result.get("balance_fen", 0)))
