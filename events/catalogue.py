"""Facts about titles and their physical copies."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from events.base import Event
from events.codec import upcaster


class TitleFormat(StrEnum):
    """What kind of thing a title is (MARC leader/06-07); copies default their item type to it."""

    BOOK = "book"
    SERIAL = "serial"
    MUSIC_SCORE = "music_score"
    MAP = "map"
    VIDEO = "video"
    SOUND_RECORDING = "sound_recording"
    IMAGE = "image"
    ELECTRONIC = "electronic"
    MIXED = "mixed"
    OBJECT = "object"
    MANUSCRIPT = "manuscript"


def sort_title(title: str, nonfiling: int = 0) -> str:
    """The title as it files: leading articles (the non-filing characters) dropped, case-folded."""
    text = title[nonfiling:] if 0 < nonfiling < len(title) else title
    return unicodedata.normalize("NFKC", text).casefold().strip()


@dataclass(frozen=True)
class TitleCatalogued(Event, type_name="title.catalogued", version=2):
    """v2 adds names with roles, classes with schemes, variant titles, languages, format ...

    ``authors`` (display names of the author/creator names), ``language`` (the first of
    ``languages``) and ``clc_class`` stay for the readers that know only them.
    """

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
    # {"name", "role", "kind": personal|corporate|meeting, "original": vernacular or None}
    names: tuple[dict[str, Any], ...] = ()
    classes: tuple[dict[str, str], ...] = ()  # {"scheme": clc|ddc|lcc|nlm|udc|local|..., "value"}
    variant_titles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    format: TitleFormat = TitleFormat.BOOK
    nonfiling: int = 0
    sort_title: str = ""
    series: tuple[str, ...] = ()
    edition: str | None = None
    pages: str | None = None
    summary: str | None = None
    publisher_original: str | None = None


# v1 other_classes keys -> v2 class schemes
_V1_SCHEMES = {"lc": "lcc", "dewey": "ddc"}


@upcaster("title.catalogued", 1)
def _title_catalogued_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 knew authors (all taken as authors), one language and classes by name only."""
    data["names"] = [{"name": a, "role": "author", "kind": "personal", "original": None}
                     for a in data.get("authors") or ()]
    classes = [{"scheme": "clc", "value": data["clc_class"]}] if data.get("clc_class") else []
    for key, value in (data.get("other_classes") or {}).items():
        classes.append({"scheme": _V1_SCHEMES.get(key, key), "value": value})
    data["classes"] = classes
    data["languages"] = [data["language"]] if data.get("language") else []
    data["format"] = TitleFormat.BOOK.value
    data["nonfiling"] = 0
    data["sort_title"] = sort_title(data.get("title") or "")
    for name in ("variant_titles", "series"):
        data[name] = []
    for name in ("edition", "pages", "summary", "publisher_original"):
        data[name] = None
    return data


@dataclass(frozen=True)
class TitleUpdated(Event, type_name="title.updated", version=1):
    """``changes`` maps field names of TitleCatalogued (any version's) to their new values."""

    title_id: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class CopyAdded(Event, type_name="copy.added", version=3):
    """v2: a copy may be one volume or issue of the title (``enumeration`` "v.3",
    ``chronology`` "2024 no.5"); a hold may ask for one volume. v3: ``added_at``, the business
    time the copy joined the collection (None in older events: their recorded time stands)."""

    barcode: str
    title_id: str
    branch: str
    item_type: str = "book"
    shelf_mark: str | None = None
    price_fen: int | None = None
    enumeration: str | None = None
    chronology: str | None = None
    added_at: datetime | None = None


@upcaster("copy.added", 1)
def _copy_added_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Copies added before volumes existed are the whole title."""
    return {**data, "enumeration": None, "chronology": None}


@upcaster("copy.added", 2)
def _copy_added_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "added_at": None}


@dataclass(frozen=True)
class CopyWithdrawn(Event, type_name="copy.withdrawn", version=2):
    """v2: ``withdrawn_at`` (business time; None in v1 events: their recorded time stands)."""

    barcode: str
    title_id: str
    reason: str = ""
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class CopyMarkedLost(Event, type_name="copy.marked_lost", version=2):
    """v2: ``lost_at`` (business time; None in v1 events: their recorded time stands)."""

    barcode: str
    title_id: str
    reader_id: str | None = None
    loan_id: str | None = None
    charge_fen: int = 0
    lost_at: datetime | None = None


@dataclass(frozen=True)
class CopyFound(Event, type_name="copy.found", version=2):
    """v2: ``found_at`` (business time; None in v1 events: their recorded time stands)."""

    barcode: str
    title_id: str
    found_at: datetime | None = None


@upcaster("copy.withdrawn", 1)
def _withdrawn_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "withdrawn_at": None}


@upcaster("copy.marked_lost", 1)
def _lost_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "lost_at": None}


@upcaster("copy.found", 1)
def _found_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "found_at": None}
