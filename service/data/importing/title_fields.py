"""Pure mapping from an imported MARC record to title fields, and the diff against a title."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from events.catalogue import TitleCatalogued, TitleFormat, TitleUpdated, sort_title
from events.store import StoredEvent
from service.data.importing.marc import TitleRecord, match_keys

# Column widths of the catalogue read model: longer values would break the projection
# on PostgreSQL, so they are cut here and the cut is reported.
LIMITS = {"title": 500, "title_original": 500, "publisher": 300, "language": 32,
          "clc_class": 64, "sort_title": 500, "edition": 200, "pages": 200,
          "publisher_original": 300}
COMPARED = ("title", "title_original", "authors", "isbn", "publisher", "year", "language",
            "clc_class", "other_classes", "subjects", "names", "classes", "variant_titles",
            "languages", "format", "nonfiling", "sort_title", "series", "edition", "pages",
            "summary", "publisher_original")


def _cut(values: dict[str, Any]) -> list[str]:
    cut: list[str] = []
    for name, limit in LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            values[name] = value[:limit]
            cut.append(name)
    return cut


def record_fields(record: TitleRecord) -> tuple[dict[str, Any], list[str]]:
    """Title fields for CatalogueTitle / TitleUpdated, and the names of fields cut to fit."""
    other = {k: v for k, v in (("lc", record.lc_class), ("dewey", record.dewey)) if v}
    values: dict[str, Any] = {
        "title": record.title, "title_original": record.title_original,
        "authors": tuple(record.authors), "isbn": record.isbns[0] if record.isbns else None,
        "publisher": record.publisher, "year": record.year, "language": record.language,
        "clc_class": record.clc_class, "other_classes": other or None,
        "subjects": tuple(record.subjects), "source_keys": tuple(match_keys(record)),
        "names": tuple(n.as_dict() for n in record.names),
        "classes": tuple({"scheme": c.scheme, "value": c.value} for c in record.classes),
        "variant_titles": tuple(record.variant_titles), "languages": tuple(record.languages),
        "format": TitleFormat(record.format), "nonfiling": record.nonfiling,
        "sort_title": sort_title(record.title, record.nonfiling),
        "series": tuple(record.series), "edition": record.edition, "pages": record.pages,
        "summary": record.summary, "publisher_original": record.publisher_original,
    }
    return values, _cut(values)


def fold_title(events: Iterable[StoredEvent]) -> dict[str, Any] | None:
    """The current fields of a title from its stream, or None if it was never catalogued."""
    state: dict[str, Any] | None = None
    for stored in events:
        e = stored.event
        if isinstance(e, TitleCatalogued):
            state = {name: getattr(e, name) for name in (*COMPARED, "source_keys")}
        elif isinstance(e, TitleUpdated) and state is not None:
            state.update(e.changes)
    return state


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or ()) == list(b or ())
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        return dict(a or {}) == dict(b or {})
    return bool(a == b)


def title_changes(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields the record changes; keys are added to, never taken away."""
    changes: dict[str, Any] = {}
    for name in COMPARED:
        # A title may carry any one of the record's ISBNs (e.g. hardback and paperback).
        if name == "isbn" and wanted.get("isbn") and current.get("isbn") in _isbns(wanted):
            continue
        if not _same(current.get(name), wanted.get(name)):
            changes[name] = wanted.get(name)
    known = list(current.get("source_keys") or ())
    extra = [k for k in wanted.get("source_keys") or () if k not in known]
    if extra:
        changes["source_keys"] = [*known, *extra]
    return changes


def _isbns(wanted: Mapping[str, Any]) -> set[str]:
    keys = wanted.get("source_keys") or ()
    return {k.removeprefix("isbn:") for k in keys if k.startswith("isbn:")}
