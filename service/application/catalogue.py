"""Catalogue commands: catalogue and update titles, add and withdraw copies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from events.catalogue import (
    CopyAdded,
    CopyWithdrawn,
    TitleCatalogued,
    TitleFormat,
    TitleUpdated,
    sort_title,
)
from events.store import NO_STREAM, LoadedStreams, PendingEvent
from events.vocabulary import CopyStatus
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.lookups import fact_from_stream
from service.domain.catalogue.isbn import InvalidIsbn, normalize_isbn
from service.domain.errors import Conflict, Invalid, NotFound

TITLE_FIELDS = (
    "title", "authors", "isbn", "publisher", "year", "language", "clc_class",
    "other_classes", "subjects", "title_original", "names", "classes", "variant_titles",
    "languages", "format", "nonfiling", "sort_title", "series", "edition", "pages", "summary",
    "publisher_original",
)
LIST_FIELDS = ("authors", "subjects", "names", "classes", "variant_titles", "languages",
               "series")
# A title's format -> the item type its copies get when the holdings name none.
ITEM_TYPES = {TitleFormat.BOOK: "book", TitleFormat.SERIAL: "serial",
              TitleFormat.MUSIC_SCORE: "score", TitleFormat.MAP: "map",
              TitleFormat.VIDEO: "video", TitleFormat.SOUND_RECORDING: "audio",
              TitleFormat.IMAGE: "image", TitleFormat.ELECTRONIC: "electronic",
              TitleFormat.MIXED: "kit", TitleFormat.OBJECT: "object",
              TitleFormat.MANUSCRIPT: "manuscript"}


def item_type_for(fmt: str | None) -> str:
    """The default item type of a copy of a title of this format."""
    try:
        return ITEM_TYPES[TitleFormat(fmt or "book")]
    except ValueError:
        return "book"
ISBN_REASONS = {
    "bad_length": ("must have 10 or 13 digits", "应为 10 位或 13 位"),
    "bad_characters": ("may contain only digits (and X last)", "只能包含数字（末位可为 X）"),
    "bad_checksum": ("check digit does not match", "校验位不正确"),
}


def title_stream(title_id: str) -> str:
    return f"title-{title_id}"


def copy_stream(barcode: str) -> str:
    return f"copy-{barcode}"


def clean_isbn(raw: str | None) -> str | None:
    """Normalise to ISBN-13 or refuse with a per-field message."""
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_isbn(raw)
    except InvalidIsbn as exc:
        en, zh = ISBN_REASONS.get(exc.reason, ("is not valid", "无效"))
        raise Invalid("invalid_isbn", f"ISBN {raw!r} {en}.", f"ISBN {raw!r} {zh}。",
                      fields={"isbn": [f"Invalid ISBN: {en}."]}) from None


@dataclass(frozen=True)
class CatalogueTitle:
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
    title_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    names: tuple[dict[str, Any], ...] = ()
    classes: tuple[dict[str, str], ...] = ()
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


def catalogue_title(ports: Ports, actor: Actor, cmd: CatalogueTitle, key: str | None) -> Outcome:
    isbn = clean_isbn(cmd.isbn)
    stream = title_stream(cmd.title_id)

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(stream) != NO_STREAM:
            raise Conflict("title_exists", "Title id already used.", "书目编号已存在。")
        languages = cmd.languages or ((cmd.language,) if cmd.language else ())
        # Titles catalogued by hand name authors only: they become names with that role.
        names = cmd.names or tuple({"name": a, "role": "author", "kind": "personal",
                                    "original": None} for a in cmd.authors)
        event = TitleCatalogued(
            title_id=cmd.title_id, title=cmd.title, authors=cmd.authors, isbn=isbn,
            publisher=cmd.publisher, year=cmd.year,
            language=cmd.language or (languages[0] if languages else None),
            clc_class=cmd.clc_class, other_classes=cmd.other_classes, subjects=cmd.subjects,
            title_original=cmd.title_original, source_keys=cmd.source_keys,
            names=names, classes=cmd.classes, variant_titles=cmd.variant_titles,
            languages=languages, format=TitleFormat(cmd.format), nonfiling=cmd.nonfiling,
            sort_title=cmd.sort_title or sort_title(cmd.title, cmd.nonfiling),
            series=cmd.series, edition=cmd.edition, pages=cmd.pages, summary=cmd.summary,
            publisher_original=cmd.publisher_original,
        )
        return Decision([PendingEvent(event, (stream,))], {"title_id": cmd.title_id})

    return execute(ports, actor, "catalogue_title", [stream], decide, key)


def require_title(loaded: LoadedStreams, title_id: str) -> TitleCatalogued:
    for stored in loaded.events:
        if isinstance(stored.event, TitleCatalogued) and stored.event.title_id == title_id:
            return stored.event
    raise NotFound("title_not_found", "Title not found.", "未找到该书目。")


def update_title(
    ports: Ports, actor: Actor, title_id: str, changes: dict[str, Any], key: str | None
) -> Outcome:
    changes = dict(changes)
    if "isbn" in changes:
        changes["isbn"] = clean_isbn(changes["isbn"])
    for name in LIST_FIELDS:
        if name in changes:
            changes[name] = [dict(v) if isinstance(v, dict) else v for v in changes[name]]
    if "format" in changes:
        changes["format"] = TitleFormat(changes["format"]).value
    # The compatibility fields follow the lists they summarise, unless given too.
    if "languages" in changes and "language" not in changes:
        changes["language"] = changes["languages"][0] if changes["languages"] else None
    if "names" in changes and "authors" not in changes:
        changes["authors"] = list(dict.fromkeys(
            n["name"] for n in changes["names"]
            if {r.strip() for r in str(n.get("role", "")).split(",")} & {"author", "creator"}))
    stream = title_stream(title_id)

    def decide(loaded: LoadedStreams) -> Decision:
        require_title(loaded, title_id)
        events = [TitleUpdated(title_id, changes)] if changes else []
        return Decision([PendingEvent(e, (stream,)) for e in events], {"title_id": title_id})

    return execute(ports, actor, "update_title", [stream], decide, key)


@dataclass(frozen=True)
class AddCopy:
    barcode: str
    title_id: str
    branch: str
    item_type: str | None = None  # None: from the title's format (book, audio, video ...)
    shelf_mark: str | None = None
    price_fen: int | None = None
    enumeration: str | None = None
    chronology: str | None = None


def _format_of(loaded: LoadedStreams, title_id: str) -> str:
    """The title's current format, folded from its stream."""
    fmt = require_title(loaded, title_id).format.value
    for stored in loaded.events:
        e = stored.event
        if isinstance(e, TitleUpdated) and e.title_id == title_id and "format" in e.changes:
            fmt = str(e.changes["format"])
    return fmt


def add_copy(ports: Ports, actor: Actor, cmd: AddCopy, key: str | None) -> Outcome:
    """Add a copy; the copy stream makes barcodes unique under any concurrency."""
    streams = [copy_stream(cmd.barcode), title_stream(cmd.title_id)]

    def decide(loaded: LoadedStreams) -> Decision:
        item_type = cmd.item_type or item_type_for(_format_of(loaded, cmd.title_id))
        if loaded.version(copy_stream(cmd.barcode)) != NO_STREAM:
            raise Conflict("barcode_taken", f"Barcode {cmd.barcode} is already in use.",
                           f"条码 {cmd.barcode} 已被使用。",
                           fields={"barcode": ["Already in use."]})
        event = CopyAdded(cmd.barcode, cmd.title_id, cmd.branch, item_type,
                          cmd.shelf_mark, cmd.price_fen, cmd.enumeration, cmd.chronology)
        return Decision([PendingEvent(event, tuple(streams))],
                        {"barcode": cmd.barcode, "title_id": cmd.title_id})

    return execute(ports, actor, "add_copy", streams, decide, key)


def copy_title_id(ports: Ports, barcode: str) -> str | None:
    """The title a barcode belongs to, read from the copy's own stream."""
    return fact_from_stream(ports, copy_stream(barcode), CopyAdded, "title_id")


def withdraw_copy(ports: Ports, actor: Actor, barcode: str, reason: str, key: str | None) -> Outcome:
    from service.domain.circulation.copy_state import fold_copy

    stream = copy_stream(barcode)

    def decide(loaded: LoadedStreams) -> Decision:
        copy = fold_copy(loaded.events, barcode)
        if copy.title_id is None:
            raise NotFound("copy_not_found", "Copy not found.", "未找到该册。")
        if copy.status == CopyStatus.WITHDRAWN:
            return Decision([], {"barcode": barcode})
        if copy.status == CopyStatus.ON_LOAN:
            raise Conflict("copy_on_loan", "The copy is on loan; check it in first.",
                           "该册正在借出，请先归还。")
        title_id = copy.title_id
        return Decision(
            [PendingEvent(CopyWithdrawn(barcode, title_id, reason), (stream, title_stream(title_id)))],
            {"barcode": barcode},
            expected={stream: loaded.version(stream)},
        )

    return execute(ports, actor, "withdraw_copy", [stream], decide, key)
