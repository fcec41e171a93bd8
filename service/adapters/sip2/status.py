"""Mappings from Lector's view of readers and copies to SIP2 codes, flags and amounts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from service.adapters.sip2.results import ItemStatus, PatronInfo
from service.domain.locale import decimal_to_fen, fen_to_decimal

# Positions in the 14-character patron status field (SIP2 2.00).
CHARGE_DENIED, RENEWAL_DENIED, RECALL_DENIED, HOLD_DENIED = 0, 1, 2, 3
CARD_LOST, TOO_MANY_CHARGED, TOO_MANY_OVERDUE = 4, 5, 6
EXCESSIVE_FINES = 10
_PRIVILEGES = (CHARGE_DENIED, RENEWAL_DENIED, RECALL_DENIED, HOLD_DENIED)

REASON_FLAGS: dict[str, tuple[int, ...]] = {
    "card_expired": _PRIVILEGES,
    "card_lost": (*_PRIVILEGES, CARD_LOST),
    "fines_over_limit": (*_PRIVILEGES, EXCESSIVE_FINES),
    "overdue_loans": (*_PRIVILEGES, TOO_MANY_OVERDUE),
    "manual": _PRIVILEGES,
}
UNKNOWN_PATRON_STATUS = "YYYY" + " " * 10

CIRCULATION_CODES: dict[ItemStatus, str] = {
    ItemStatus.OTHER: "01",
    ItemStatus.ON_ORDER: "02",
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.IN_PROCESS: "06",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.CLAIMED_RETURNED: "11",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
    ItemStatus.WITHDRAWN: "01",
}

_AMOUNT = re.compile(r"\s*([0-9]{1,9})(?:\.([0-9]{1,2}))?\s*")


def patron_status_flags(info: PatronInfo) -> str:
    """Return the 14 Y/space patron status flags for a reader."""
    flags = [" "] * 14
    for reason in info.block_reasons:
        for position in REASON_FLAGS.get(reason, _PRIVILEGES):
            flags[position] = "Y"
    if info.loan_limit is not None and info.loan_count >= info.loan_limit:
        flags[TOO_MANY_CHARGED] = "Y"
    if info.overdue_limit is not None and info.overdue_count >= info.overdue_limit:
        flags[TOO_MANY_OVERDUE] = "Y"
    if info.fine_limit_fen is not None and info.fines_fen > info.fine_limit_fen:
        flags[EXCESSIVE_FINES] = "Y"
    return "".join(flags)


def sip_language(language: str) -> str:
    """Return the SIP2 3-digit language code (019 Chinese, 001 English, 000 unknown)."""
    lowered = language.lower()
    if lowered.startswith("zh"):
        return "019"
    return "001" if lowered.startswith("en") else "000"


def count4(value: int) -> str:
    """Return a count as the 4-digit fixed field SIP2 expects (capped at 9999)."""
    return f"{max(0, min(value, 9999)):04d}"


def format_fen(fen: int) -> str:
    """Return an amount in fen as SIP2's wire decimal in yuan, e.g. 1250 -> '12.50'."""
    # A wire codec, not display: no symbol or grouping, whatever the kiosk's language.
    return f"{fen_to_decimal(fen):f}"


def parse_fen(text: str) -> int | None:
    """Read a kiosk amount like '12', '12.5' or '12.50' as fen; None when invalid."""
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return None
    return decimal_to_fen(Decimal(f"{match.group(1)}.{match.group(2) or '0'}"))


def format_due(due: date | None, due_time: str) -> str:
    """Return a due date as a SIP2 timestamp at the end of that day, or '' when unknown."""
    return "" if due is None else due.strftime("%Y%m%d") + "    " + due_time


def format_day(day: date | None) -> str:
    """Return a date as an 18-character SIP2 timestamp at midnight, or 18 blanks."""
    return " " * 18 if day is None else day.strftime("%Y%m%d") + "    000000"
