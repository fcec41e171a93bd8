"""Frozen dataclasses that travel between the SIP2 server and its backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from service.domain.locale import EN, ZH, negotiate_lang


@dataclass(frozen=True)
class Text:
    """A person-facing message in both interface languages."""

    zh_cn: str
    en: str

    def pick(self, language: str) -> str:
        """Return the message in ``language`` ('zh-CN' or 'en'; anything else gets zh-CN)."""
        return self.en if negotiate_lang(language, ZH) == EN else self.zh_cn


@dataclass(frozen=True, kw_only=True)
class KioskAccount:
    """A configured self-check machine; it acts as channel ``sip2`` with actor ``kiosk_id``."""

    kiosk_id: str
    institution_id: str
    location: str
    charset: str = "utf-8"
    language: str = "zh-CN"
    library_name: str = ""


class ItemStatus(StrEnum):
    """Circulation status of a copy, as Lector knows it (mapped to SIP2 codes by the server)."""

    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD_SHELF = "on_hold_shelf"
    IN_TRANSIT = "in_transit"
    IN_PROCESS = "in_process"
    ON_ORDER = "on_order"
    CLAIMED_RETURNED = "claimed_returned"
    LOST = "lost"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"
    OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class PatronCheck:
    """Result of looking a card up and checking its PIN (``pin_ok`` None: no PIN was given)."""

    found: bool
    pin_ok: bool | None = None
    language: str = "zh-CN"


@dataclass(frozen=True, kw_only=True)
class PatronInfo:
    """Everything a kiosk shows about a reader; lists hold item barcodes (or titles for holds)."""

    card: str
    name: str
    language: str = "zh-CN"
    block_reasons: tuple[str, ...] = ()
    loan_count: int = 0
    overdue_count: int = 0
    holds_ready_count: int = 0
    holds_waiting_count: int = 0
    fine_item_count: int = 0
    loan_limit: int | None = None
    overdue_limit: int | None = None
    hold_limit: int | None = None
    fines_fen: int = 0
    fine_limit_fen: int | None = None
    charged_items: tuple[str, ...] = ()
    overdue_items: tuple[str, ...] = ()
    hold_items: tuple[str, ...] = ()
    unavailable_hold_items: tuple[str, ...] = ()
    fine_items: tuple[str, ...] = ()
    message: Text | None = None


@dataclass(frozen=True, kw_only=True)
class ItemInfo:
    """What the library knows about one copy."""

    barcode: str
    title: str
    status: ItemStatus
    due_date: date | None = None
    hold_queue_length: int = 0
    permanent_location: str = ""
    current_location: str = ""
    trapped_for_card: str | None = None
    hold_pickup_date: date | None = None
    owner: str = ""
    volume: str | None = None  # enumeration and chronology of a multi-volume or serial copy


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Common shape of every command result: ok, a stable refusal code, an optional message."""

    ok: bool
    code: str | None = None
    message: Text | None = None


@dataclass(frozen=True, kw_only=True)
class CheckoutResult(Outcome):
    """Result of lending one copy; ``renewed`` is True when the reader already had it."""

    title: str = ""
    due_date: date | None = None
    renewed: bool = False
    fee_fen: int = 0


@dataclass(frozen=True, kw_only=True)
class CheckinResult(Outcome):
    """Result of a return; a copy trapped for a hold names its reader and pickup branch."""

    title: str = ""
    card: str | None = None
    language: str | None = None
    permanent_location: str = ""
    sort_bin: str | None = None
    trapped_for_card: str | None = None
    trapped_for_name: str | None = None
    pickup_branch: str | None = None
    pickup_deadline: date | None = None
    in_transit_to: str | None = None


@dataclass(frozen=True, kw_only=True)
class RenewResult(Outcome):
    """Result of renewing one loan."""

    title: str = ""
    due_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class RenewAllResult(Outcome):
    """Result of renewing every loan of a reader: barcodes renewed and not renewed."""

    renewed: tuple[str, ...] = ()
    unrenewed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HoldResult(Outcome):
    """Result of placing or cancelling a hold."""

    title: str = ""
    title_id: str = ""
    available: bool = False
    queue_position: int | None = None
    expires_on: date | None = None
    pickup_location: str = ""


@dataclass(frozen=True, kw_only=True)
class FeePaidResult(Outcome):
    """Result of recording a payment made at the kiosk."""

    transaction_id: str = ""
    balance_fen: int = 0
