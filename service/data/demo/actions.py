"""The planned actions a demo year is made of; the executor maps each to a real command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CheckOut:
    """Lend copy `barcode` to the reader at a branch desk."""

    at: datetime
    card_number: str
    barcode: str
    branch: str


@dataclass(frozen=True)
class CheckIn:
    """Return copy `barcode` at a branch."""

    at: datetime
    barcode: str
    branch: str


@dataclass(frozen=True)
class Renew:
    """Renew the current loan of copy `barcode`."""

    at: datetime
    barcode: str


@dataclass(frozen=True)
class PlaceHold:
    """Reserve a title for pickup at a branch."""

    at: datetime
    card_number: str
    title_id: str
    pickup_branch: str


@dataclass(frozen=True)
class CancelHold:
    """Cancel the reader's waiting hold on a title."""

    at: datetime
    card_number: str
    title_id: str


@dataclass(frozen=True)
class PayFine:
    """Pay fines of `amount_fen` (the fine the late return assessed under DEMO_POLICY)."""

    at: datetime
    card_number: str
    amount_fen: int


@dataclass(frozen=True)
class SubmitFeedback:
    """A reader's comment with a 1-5 rating, in the reader's language."""

    at: datetime
    card_number: str
    category: str
    text: str
    rating: int
    lang: str


@dataclass(frozen=True)
class SuggestPurchase:
    """A reader suggests a title the library does not have."""

    at: datetime
    card_number: str
    title: str
    author: str
    isbn: str
    reason: str


PlannedAction = (
    CheckOut | CheckIn | Renew | PlaceHold | CancelHold | PayFine | SubmitFeedback | SuggestPurchase
)
