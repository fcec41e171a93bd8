"""Building blocks for replies: the handler context, reply construction and clean refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.adapters.sip2.backend import KioskAccount, PatronCheck, Sip2Backend
from service.adapters.sip2.codec import Message, format_timestamp
from service.adapters.sip2.settings import Sip2Settings
from service.adapters.sip2.status import UNKNOWN_PATRON_STATUS

Field = tuple[str, str | None]
BLANK_DATE = " " * 18


@dataclass(frozen=True)
class Context:
    """What a message handler may use: backend, the logged-in kiosk, settings and the time."""

    backend: Sip2Backend
    kiosk: KioskAccount
    settings: Sip2Settings
    now: datetime

    @property
    def stamp(self) -> str:
        """Return the transaction date to put in replies."""
        return format_timestamp(self.now, self.settings.zone)


def reply(code: str, fixed: dict[str, str], *fields: Field) -> Message:
    """Build a reply; fields whose value is None are left out."""
    return Message(code, fixed, tuple((key, value) for key, value in fields if value is not None))


def idempotency_key(kiosk: KioskAccount, request: Message, subject: str) -> str | None:
    """Derive the command key from kiosk, request code, transaction date, AY and subject.

    A kiosk that resends a request repeats its transaction date and sequence number, so the
    resend maps to the same key. Without a transaction date a new request could not be told
    from a resend, so no key is given (the connection-level resend check still applies).
    """
    date = request.fixed.get("transaction_date", "")
    if not date.strip():
        return None
    return f"sip2:{kiosk.kiosk_id}:{request.code}:{date}:{request.sequence or '-'}:{subject}"


def patron_gate(ctx: Context, request: Message) -> tuple[str, PatronCheck | None, str | None]:
    """Look the card of a request up and check its PIN; return card, check, refusal code."""
    card = request.get("AA") or ""
    pin = request.get("AD") or None
    if not card:
        return card, None, "reader_not_found"
    check = ctx.backend.check_patron(ctx.kiosk, card, pin)
    if not check.found:
        return card, check, "reader_not_found"
    if check.pin_ok is False:
        return card, check, "invalid_pin"
    if check.pin_ok is None and ctx.settings.require_pin:
        return card, check, "pin_required"
    return card, check, None


def refusal(request: Message, *, screen: str, stamp: str, institution: str) -> Message:
    """Return the negative reply of the right type for any supported request."""
    card, barcode = request.get("AA") or "", request.get("AB") or ""
    ao, af = ("AO", institution), ("AF", screen)
    code = request.code
    if code in ("11", "29"):
        fixed = {"ok": "0", "renewal_ok": "N", "magnetic_media": "U", "desensitize": "N"}
        return reply("12" if code == "11" else "30", {**fixed, "transaction_date": stamp},
                     ao, ("AA", card), ("AB", barcode), ("AJ", ""), ("AH", ""), af)
    if code == "09":
        fixed = {"ok": "0", "resensitize": "N", "magnetic_media": "U", "alert": "N"}
        return reply("10", {**fixed, "transaction_date": stamp},
                     ao, ("AB", barcode), ("AQ", ""), af)
    if code == "65":
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000"}
        return reply("66", {**fixed, "transaction_date": stamp}, ao, af)
    if code == "17":
        fixed = {"circulation_status": "01", "security_marker": "00", "fee_type": "01"}
        return reply("18", {**fixed, "transaction_date": stamp}, ("AB", barcode), ("AJ", ""), af)
    if code == "15":
        return reply("16", {"ok": "0", "available": "N", "transaction_date": stamp},
                     ("BW", BLANK_DATE), ao, ("AA", card), af)
    if code == "63":
        counts = dict.fromkeys(("hold_items_count", "overdue_items_count",
                                "charged_items_count", "fine_items_count",
                                "recall_items_count", "unavailable_holds_count"), "0000")
        fixed = {"patron_status": UNKNOWN_PATRON_STATUS, "language": "000",
                 "transaction_date": stamp, **counts}
        return reply("64", fixed, ao, ("AA", card), ("AE", ""), ("BL", "N"), af)
    if code in ("23", "01", "25"):
        fixed = {"patron_status": UNKNOWN_PATRON_STATUS, "language": "000",
                 "transaction_date": stamp}
        return reply("26" if code == "25" else "24", fixed,
                     ao, ("AA", card), ("AE", ""), ("BL", "N"), af)
    if code == "35":
        return reply("36", {"end_session": "N", "transaction_date": stamp}, ao, ("AA", card), af)
    if code == "37":
        return reply("38", {"payment_accepted": "N", "transaction_date": stamp},
                     ao, ("AA", card), af)
    if code == "19":
        return reply("20", {"item_properties_ok": "0", "transaction_date": stamp},
                     ("AB", barcode), af)
    if code == "93":
        return reply("94", {"ok": "0"})
    raise ValueError(f"no refusal for message {code}")
