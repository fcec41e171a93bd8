"""The reader's e-card: a signed, expiring code that stands in for the card number.

The portal shows it as a QR code and a Code 128 barcode. The code names the card and the
instant it was issued, signed with the installation's secret (HMAC-SHA-256, cut to 80 bits so
the barcode stays short enough to scan from a phone screen); it is accepted for
``ECARD_VALID`` after issue, so a screenshot is useless the next day. The desk checkout and
the SIP2 patron requests pass what was scanned through ``resolve_card``: a card number comes
back unchanged, an e-card code becomes its card number, an expired or forged one is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.domain.errors import Invalid

PREFIX = "EC1:"
ECARD_VALID = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)  # a code issued by a server whose clock runs a little ahead
_SALT = b"lector.ecard.v1"


@dataclass(frozen=True)
class ECard:
    code: str
    card_number: str
    issued_at: datetime
    expires_at: datetime


def _b36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _signature(secret: str, card_number: str, issued: str) -> str:
    mac = hmac.new(secret.encode(), _SALT + b"|" + card_number.encode() + b"|" + issued.encode(),
                   hashlib.sha256).digest()[:10]
    return base64.b32encode(mac).decode()


def issue_ecard(secret: str, card_number: str, now: datetime) -> ECard:
    """A fresh e-card code for this card, valid for ECARD_VALID from ``now``."""
    issued = int(now.timestamp())
    stamp = _b36(issued)
    code = f"{PREFIX}{card_number}:{stamp}:{_signature(secret, card_number, stamp)}"
    at = datetime.fromtimestamp(issued, UTC)
    return ECard(code, card_number, at, at + ECARD_VALID)


def is_ecard_code(value: str) -> bool:
    return value.startswith(PREFIX)


def _refused(code: str, en: str, zh: str) -> Invalid:
    return Invalid(code, en, zh, fields={"card_number": [en]})


def resolve_card(secret: str, value: str, now: datetime) -> str:
    """The card number ``value`` stands for: itself, or the card an e-card code names."""
    if not is_ecard_code(value):
        return value
    card_number, _, rest = value[len(PREFIX):].rpartition(":")
    card_number, _, stamp = card_number.rpartition(":")
    good = _signature(secret, card_number, stamp) if card_number and stamp else ""
    if not good or not hmac.compare_digest(good, rest):
        raise _refused("ecard_invalid", "This e-card code is not valid; show the card again.",
                       "电子读者证二维码无效，请重新出示。")
    try:
        issued = datetime.fromtimestamp(int(stamp, 36), UTC)
    except (ValueError, OverflowError, OSError):
        raise _refused("ecard_invalid", "This e-card code is not valid; show the card again.",
                       "电子读者证二维码无效，请重新出示。") from None
    if issued > now + CLOCK_SKEW or now - issued > ECARD_VALID:
        raise _refused("ecard_expired",
                       "This e-card code has expired; refresh the e-card in the portal.",
                       "电子读者证二维码已过期，请在读者门户刷新后再出示。")
    return card_number
