"""Facts about titles and their physical copies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from events.base import Event
from events.codec import upcaster


@dataclass(frozen=True)
class TitleCatalogued(Event, type_name="title.catalogued", version=1):
    title_id: str
    title: str
    authors: tuple[str, ...] = ()
    isbn: str | None = None
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    clc_class: str | None = None
    other_classes: dict[str, str] | None = None
    subjects: tuple[str, ...] = ()
    title_original: str | None = None
    source_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class TitleUpdated(Event, type_name="title.updated", version=1):
    """``changes`` maps field names of TitleCatalogued to their new values."""

    title_id: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class CopyAdded(Event, type_name="copy.added", version=2):
    """v2: a copy may be one volume or issue of the title (``enumeration`` "v.3",
    ``chronology`` "2024 no.5"); a hold may ask for one volume."""

    barcode: str
    title_id: str
    branch: str
    item_type: str = "book"
    shelf_mark: str | None = None
    price_fen: int | None = None
    enumeration: str | None = None
    chronology: str | None = None


@upcaster("copy.added", 1)
def _copy_added_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Copies added before volumes existed are the whole title."""
    return {**data, "enumeration": None, "chronology": None}


@dataclass(frozen=True)
class CopyWithdrawn(Event, type_name="copy.withdrawn", version=1):
    barcode: str
    title_id: str
    reason: str = ""


@dataclass(frozen=True)
class CopyMarkedLost(Event, type_name="copy.marked_lost", version=1):
    barcode: str
    title_id: str
    reader_id: str | None = None
    loan_id: str | None = None
    charge_fen: int = 0


@dataclass(frozen=True)
class CopyFound(Event, type_name="copy.found", version=1):
    barcode: str
    title_id: str
