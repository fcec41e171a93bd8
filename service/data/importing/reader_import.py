"""Import a reader file through the reader handlers: create or update by card number."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from events.readers import (
    ReaderCategoryChanged,
    ReaderErased,
    ReaderPreferencesChanged,
    ReaderRegistered,
    ReaderUpdated,
)
from events.store import StoredEvent
from service.application.context import Actor, Ports
from service.application.readers import (
    RegisterReader,
    change_category,
    reader_id_for_card,
    reader_stream,
    register_reader,
    set_preferences,
    update_reader,
)
from service.data.importing.batching import bulk_ports
from service.data.importing.readers_file import (
    ReaderRow,
    ReadersFile,
    RowError,
    parse_readers,
    write_error_report,
)
from service.domain.errors import DomainError

CARD = re.compile(r"^[A-Za-z0-9\-]{1,32}$")
CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CONTACT = ("name", "phone", "email", "expires_on")
# Blank cells clear these; a blank name, category or language leaves the reader's value.
CLEARABLE = frozenset({"phone", "email", "expires_on"})
MESSAGES = {
    "bad_card": ("'{value}' is not a card number (letters, digits and '-', at most 32).",
                 "“{value}”不是有效的读者证号（字母、数字和“-”，最多 32 位）。"),
    "bad_category": ("'{value}' is not a category code (lower-case letters, digits, '_').",
                     "“{value}”不是有效的读者类别代码（小写字母、数字和“_”）。"),
    "name_required": ("A new reader needs a name.", "新读者必须填写姓名。"),
    "too_long": ("The value is too long (at most {value} characters).",
                 "内容过长（最多 {value} 个字符）。"),
    "reader_erased": ("This card belongs to an erased reader.", "该读者证属于已删除的读者。"),
}


def _error(row: int, column: str | None, code: str, value: str = "") -> RowError:
    en, zh = MESSAGES[code]
    return RowError(row, column, en.format(value=value), zh.format(value=value), code, value)


@dataclass(frozen=True)
class ReaderChange:
    """What the import does (or, in a dry run, would do) to one reader."""

    row_number: int
    card_number: str
    action: str  # create | update | unchanged
    reader_id: str | None
    changes: dict[str, Any]


@dataclass
class ReaderImportSummary:
    """Counts, the planned or applied changes, and every row error."""

    dry_run: bool
    encoding: str | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[ReaderChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: tuple[str, ...] = ()
    last_position: int = 0

    @property
    def error_rows(self) -> int:
        return len({e.row_number for e in self.errors})

    def error_report(self) -> bytes:
        """The row errors as a CSV with BOM (Excel opens it with Chinese intact)."""
        return write_error_report(self.errors)


def fold_contact(events: Iterable[StoredEvent]) -> dict[str, Any]:
    """A reader's importable fields (and whether erased), from their stream."""
    state: dict[str, Any] = {}
    for stored in events:
        e = stored.event
        if isinstance(e, ReaderRegistered):
            state = {"name": e.name, "phone": e.phone, "email": e.email,
                     "expires_on": e.expires_on, "category": e.category,
                     "language": e.language, "erased": False}
        elif isinstance(e, ReaderUpdated):
            state.update({name: getattr(e, name) for name in e.changed if name in CONTACT})
        elif isinstance(e, ReaderCategoryChanged):
            state["category"] = e.category
        elif isinstance(e, ReaderPreferencesChanged):
            state["language"] = e.language
        elif isinstance(e, ReaderErased):
            state["erased"] = True
    return state


def _wanted(row: ReaderRow, columns: frozenset[str]) -> dict[str, Any]:
    values = {"name": row.name, "category": row.category, "phone": row.phone,
              "email": row.email, "language": row.language, "expires_on": row.expiry}
    present = {("expires_on" if c == "expiry" else c) for c in columns} - {"card_number"}
    return {k: v for k, v in values.items() if k in present and (v is not None or k in CLEARABLE)}


def _check(row: ReaderRow, wanted: dict[str, Any], is_new: bool) -> list[RowError]:
    errors = []
    if not CARD.match(row.card_number):
        errors.append(_error(row.row_number, "card_number", "bad_card", row.card_number))
    category = wanted.get("category")
    if category is not None and not CATEGORY.match(category):
        errors.append(_error(row.row_number, "category", "bad_category", category))
    for column, limit in (("name", 200), ("email", 200)):
        if len(wanted.get(column) or "") > limit:
            errors.append(_error(row.row_number, column, "too_long", str(limit)))
    if is_new and not wanted.get("name"):
        errors.append(_error(row.row_number, "name", "name_required"))
    return errors


def _plan(ports: Ports, row: ReaderRow, columns: frozenset[str]) -> ReaderChange | list[RowError]:
    wanted = _wanted(row, columns)
    reader_id = reader_id_for_card(ports, row.card_number) if CARD.match(row.card_number) else None
    errors = _check(row, wanted, reader_id is None)
    if errors:
        return errors
    if reader_id is None:
        return ReaderChange(row.row_number, row.card_number, "create", None, wanted)
    current = fold_contact(ports.store.load([reader_stream(reader_id)]).events)
    if current.get("erased"):
        return [_error(row.row_number, "card_number", "reader_erased")]
    changes = {k: v for k, v in wanted.items() if current.get(k) != v}
    action = "update" if changes else "unchanged"
    return ReaderChange(row.row_number, row.card_number, action, reader_id, changes)


def import_readers(
    ports: Ports, actor: Actor, data: bytes, *, dry_run: bool = False,
    default_category: str = "adult", default_language: str = "zh-CN",
) -> ReaderImportSummary:
    """Create or update each reader of a CSV/XLSX file; a dry run appends nothing."""
    parsed = parse_readers(data)
    summary = ReaderImportSummary(dry_run, parsed.encoding, errors=list(parsed.errors),
                                  ignored_headers=parsed.ignored_headers)
    digest = hashlib.sha256(data).hexdigest()[:16]
    with bulk_ports(ports) as bulk:
        _run(bulk, actor, parsed, summary, digest, dry_run, default_category, default_language)
    summary.errors.sort(key=lambda e: e.row_number)
    return summary


def _run(ports: Ports, actor: Actor, parsed: ReadersFile, summary: ReaderImportSummary,
         digest: str, dry_run: bool, default_category: str, default_language: str) -> None:
    for row in parsed.rows:
        planned = _plan(ports, row, parsed.columns)
        if isinstance(planned, list):
            summary.errors.extend(planned)
            continue
        if not dry_run and planned.action != "unchanged":
            try:
                position = _apply(ports, actor, planned, f"readers:{digest}:{row.row_number}",
                                  default_category, default_language)
            except DomainError as exc:
                summary.errors.append(RowError(row.row_number, None, exc.en, exc.zh, exc.code))
                continue
            summary.last_position = max(summary.last_position, position)
        setattr(summary, _COUNTER[planned.action], getattr(summary, _COUNTER[planned.action]) + 1)
        summary.changes.append(planned)


_COUNTER = {"create": "created", "update": "updated", "unchanged": "unchanged"}


def _apply(ports: Ports, actor: Actor, change: ReaderChange, base: str,
           default_category: str, default_language: str) -> int:
    values = change.changes
    if change.reader_id is None:
        cmd = RegisterReader(
            card_number=change.card_number, name=values["name"],
            category=values.get("category") or default_category,
            language=values.get("language") or default_language, phone=values.get("phone"),
            email=values.get("email"), expires_on=values.get("expires_on"))
        return register_reader(ports, actor, cmd, f"{base}:register").position
    reader_id, version = change.reader_id, ports.store.load([reader_stream(change.reader_id)])
    key = f"{base}:v{version.version(reader_stream(reader_id))}"
    position = 0
    contact = {k: v for k, v in values.items() if k in CONTACT}
    if contact:
        position = update_reader(ports, actor, reader_id, contact, f"{key}:contact").position
    if "category" in values:
        position = change_category(ports, actor, reader_id, values["category"],
                                   f"{key}:category").position
    if "language" in values:
        position = set_preferences(ports, actor, reader_id, f"{key}:language",
                                   language=values["language"]).position
    return position
