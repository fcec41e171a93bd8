"""The SIP2 backend over the real Lector: the same command handlers the API uses.

Each kiosk acts as actor ``kiosk:<kiosk_id>`` on channel ``sip2``; refusals keep the
handlers' stable codes and their zh-CN and en messages. Reads come from the streams (see
lector_reads), so they never lag the kiosk's own commands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from events.vocabulary import CopyStatus
from service.adapters.sip2 import lector_reads as reads
from service.adapters.sip2.lector_holds import HoldAndFeeCommands, as_day, refused
from service.adapters.sip2.lector_logins import LoginChecks
from service.adapters.sip2.pin_cache import PinCache
from service.adapters.sip2.results import (
    CheckinResult,
    CheckoutResult,
    ItemInfo,
    KioskAccount,
    PatronCheck,
    PatronInfo,
    RenewAllResult,
    RenewResult,
)
from service.application import circulation
from service.application.catalogue import copy_title_id
from service.application.commands import CheckIn, CheckOut, Renew, RenewAll
from service.application.context import Ports
from service.application.handlers import handle
from service.bootstrap import Lector
from service.domain.errors import DomainError

# A kiosk's return date is trusted for drop-box returns, within limits: never in the future
# (kiosk clocks drift) and never further back than this.
MAX_BACKDATE = timedelta(days=7)


class LectorSip2Backend(LoginChecks, HoldAndFeeCommands):
    """Implements service.adapters.sip2.backend.Sip2Backend; thread-safe (no state of its own)."""

    def __init__(self, lector: Lector) -> None:
        self.lector, self.ports, self.engine = lector, lector.ports, lector.engine
        self.pins = PinCache(lector.engine)
        self.init_logins(lector)

    def check_patron(self, kiosk: KioskAccount, card: str, pin: str | None) -> PatronCheck:
        """Look the card up in its stream and verify the PIN (Argon2, remembered briefly)."""
        try:
            card = self._card(card)
        except DomainError:
            return PatronCheck(found=False)
        view = reads.reader_by_card(self.ports, card)
        if view is None:
            return PatronCheck(found=False)
        pin_ok = None if pin is None else self._pin_ok(view.reader_id, pin)
        return PatronCheck(found=True, pin_ok=pin_ok, language=view.state.language)

    def patron_information(self, kiosk: KioskAccount, card: str) -> PatronInfo | None:
        """Return the reader's blocks, counts, limits, fines and item lists.

        An e-card code is answered for its card (echoed as scanned); an expired or forged
        one is an unknown patron."""
        try:
            view = reads.reader_by_card(self.ports, self._card(card))
        except DomainError:
            return None
        return None if view is None else reads.patron_info(self.ports, self.engine, view, card)

    def item_information(self, kiosk: KioskAccount, barcode: str) -> ItemInfo | None:
        """Return a copy's status, due date, hold queue length and locations."""
        return reads.item_info(self.ports, barcode, kiosk.institution_id)

    def checkout(
        self, kiosk: KioskAccount, card: str, barcode: str, *, idempotency_key: str | None
    ) -> CheckoutResult:
        """Lend at the kiosk's branch; a copy the reader already has is renewed instead."""
        try:
            card = self._card(card)
            outcome = handle(self.ports, self.actor(kiosk),
                             CheckOut(card, barcode, kiosk.location), idempotency_key)
        except DomainError as error:
            if error.extra.get("copy_status") == CopyStatus.ON_LOAN and self._has_it(card, barcode):
                renewed = self.renew(kiosk, card, barcode, idempotency_key=idempotency_key)
                return CheckoutResult(ok=renewed.ok, code=renewed.code, message=renewed.message,
                                      title=renewed.title, due_date=renewed.due_date,
                                      renewed=renewed.ok)
            return refused(CheckoutResult, error)
        result = outcome.result
        return CheckoutResult(ok=True, title=str(result.get("title") or ""),
                              due_date=as_day(result.get("due_on")))

    def _has_it(self, card: str, barcode: str) -> bool:
        view, copy = reads.reader_by_card(self.ports, card), reads.load_copy(self.ports, barcode)
        return bool(view and copy and copy.status == CopyStatus.ON_LOAN
                    and copy.reader_id == view.reader_id)

    def checkin(
        self, kiosk: KioskAccount, barcode: str, *, returned_at: datetime, location: str,
        idempotency_key: str | None,
    ) -> CheckinResult:
        """Take a copy back at ``location``; a copy trapped for a hold raises the alert."""
        try:
            outcome = handle(self._ports_at(barcode, returned_at), self.actor(kiosk),
                             CheckIn(barcode, location), idempotency_key)
        except DomainError as error:
            return refused(CheckinResult, error)
        result = outcome.result
        # The copy's home and the returner's card and language are what the command decided
        # on (a return changes neither): no second read of those streams for the reply.
        copy, returner = reads.checkin_parties(self.ports, outcome, barcode,
                                               result.get("reader_id"))
        home = copy.branch if copy else ""
        common: dict[str, Any] = {
            "ok": True, "title": str(result.get("title") or ""), "permanent_location": home,
            "card": returner.card_number if returner else None,
            "language": returner.language if returner else None,
        }
        holder_id = result.get("hold_reader_id")
        if not holder_id:
            away = bool(home) and home.lower() != location.lower()
            return CheckinResult(**common, sort_bin="TRANSIT" if away else "SHELF",
                                 in_transit_to=home if away else None)
        holder = reads.reader_by_id(self.ports, holder_id)
        hold = holder.state.holds.get(result.get("hold_id") or "") if holder else None
        return CheckinResult(
            **common, sort_bin="HOLDS",
            trapped_for_card=holder.state.card_number if holder else None,
            trapped_for_name=holder.name if holder else None,
            pickup_branch=result.get("pickup_branch") or (hold.pickup_branch if hold else None),
            pickup_deadline=as_day(result.get("pickup_by")),
        )

    def _ports_at(self, barcode: str, returned_at: datetime) -> Ports:
        """Ports whose clock reads the time the kiosk says the copy came back, if credible.

        Credible means: not in the future (kiosk clocks drift), at most MAX_BACKDATE ago, and
        not before the copy was last lent or renewed.
        """
        now = self.ports.clock()
        if returned_at >= now or now - returned_at > MAX_BACKDATE:
            return self.ports
        if returned_at < reads.last_lent_at(self.ports, barcode, default=now):
            return self.ports
        return replace(self.ports, clock=lambda: returned_at)

    def renew(
        self, kiosk: KioskAccount, card: str, barcode: str, *, idempotency_key: str | None
    ) -> RenewResult:
        """Renew one of the reader's own loans."""
        try:
            reader_id = circulation.reader_for_card(self.ports, self._card(card))
            outcome = handle(self.ports, self.actor(kiosk),
                             Renew(barcode, only_reader=reader_id), idempotency_key)
        except DomainError as error:
            return refused(RenewResult, error, title=self._title_of(barcode))
        return RenewResult(ok=True, title=reads.decided_title(self.ports, outcome, barcode),
                           due_date=as_day(outcome.result.get("due_on")))

    def _title_of(self, barcode: str) -> str:
        title_id = copy_title_id(self.ports, barcode)
        return reads.title_label(self.ports, self.engine, title_id) if title_id else ""

    def renew_all(
        self, kiosk: KioskAccount, card: str, *, idempotency_key: str | None
    ) -> RenewAllResult:
        """Renew every loan that can be renewed; each succeeds or fails on its own."""
        try:
            reader_id = circulation.reader_for_card(self.ports, self._card(card))
            answer = handle(self.ports, self.actor(kiosk), RenewAll(reader_id),
                            idempotency_key).result
        except DomainError as error:
            return refused(RenewAllResult, error)
        results = answer["results"]
        return RenewAllResult(ok=True,
                              renewed=tuple(r["barcode"] for r in results if r["renewed"]),
                              unrenewed=tuple(r["barcode"] for r in results if not r["renewed"]))

    def end_session(self, kiosk: KioskAccount, card: str) -> None:
        """Nothing to forget: the backend keeps no per-session state."""
