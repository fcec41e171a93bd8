"""The contract between the SIP2 server and Lector's circulation: a Protocol and its results.

The server calls these methods from one thread per kiosk connection, so an implementation
must be thread-safe (the real one opens a database session per call). Every method is
synchronous. Refusals are results with ``ok=False`` and a stable ``code``, never exceptions;
an exception is treated as an internal failure and answered with a clean refusal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from service.adapters.sip2.results import (
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HoldResult,
    ItemInfo,
    ItemStatus,
    KioskAccount,
    Outcome,
    PatronCheck,
    PatronInfo,
    RenewAllResult,
    RenewResult,
    Text,
)

__all__ = [
    "CheckinResult",
    "CheckoutResult",
    "FeePaidResult",
    "HoldResult",
    "ItemInfo",
    "ItemStatus",
    "KioskAccount",
    "Outcome",
    "PatronCheck",
    "PatronInfo",
    "RenewAllResult",
    "RenewResult",
    "Sip2Backend",
    "Text",
]


@runtime_checkable
class Sip2Backend(Protocol):
    """What the SIP2 server needs from Lector. All calls are synchronous and thread-safe."""

    def authenticate_kiosk(
        self, user_id: str, password: str, location: str | None
    ) -> KioskAccount | None:
        """Return the kiosk account for these login credentials, or None."""
        ...

    def check_patron(self, kiosk: KioskAccount, card: str, pin: str | None) -> PatronCheck:
        """Look a card up and verify its PIN when one is given."""
        ...

    def patron_information(self, kiosk: KioskAccount, card: str) -> PatronInfo | None:
        """Return the reader's state, or None when the card is unknown."""
        ...

    def item_information(self, kiosk: KioskAccount, barcode: str) -> ItemInfo | None:
        """Return a copy's state, or None when the barcode is unknown."""
        ...

    def checkout(
        self, kiosk: KioskAccount, card: str, barcode: str, *, idempotency_key: str | None
    ) -> CheckoutResult:
        """Lend a copy to a reader whose card (and PIN) the server already checked."""
        ...

    def checkin(
        self,
        kiosk: KioskAccount,
        barcode: str,
        *,
        returned_at: datetime,
        location: str,
        idempotency_key: str | None,
    ) -> CheckinResult:
        """Take a copy back at ``location``; ``returned_at`` is timezone-aware."""
        ...

    def renew(
        self, kiosk: KioskAccount, card: str, barcode: str, *, idempotency_key: str | None
    ) -> RenewResult:
        """Renew one loan of the reader."""
        ...

    def renew_all(
        self, kiosk: KioskAccount, card: str, *, idempotency_key: str | None
    ) -> RenewAllResult:
        """Renew every loan of the reader that can be renewed."""
        ...

    def place_hold(
        self,
        kiosk: KioskAccount,
        card: str,
        *,
        barcode: str | None,
        title_id: str | None,
        pickup_location: str | None,
        idempotency_key: str | None,
    ) -> HoldResult:
        """Reserve the title of ``barcode`` (or ``title_id``) for the reader."""
        ...

    def cancel_hold(
        self,
        kiosk: KioskAccount,
        card: str,
        *,
        barcode: str | None,
        title_id: str | None,
        idempotency_key: str | None,
    ) -> HoldResult:
        """Cancel the reader's hold on the title of ``barcode`` (or ``title_id``)."""
        ...

    def fee_paid(
        self,
        kiosk: KioskAccount,
        card: str,
        amount_fen: int,
        *,
        fee_type: str,
        payment_type: str,
        fee_id: str | None,
        transaction_id: str | None,
        idempotency_key: str | None,
    ) -> FeePaidResult:
        """Record a payment of ``amount_fen`` (CNY fen) made at the kiosk."""
        ...

    def end_session(self, kiosk: KioskAccount, card: str) -> None:
        """Forget anything held for this reader's kiosk session."""
        ...
