"""Map one decoded pymarc Record to a TitleRecord (or a RecordError when it has no title)."""

from __future__ import annotations

import re

from pymarc import Field, Record

from service.core.importing.marc_model import CopySpec, RecordError, TitleRecord
from service.core.importing.marc_text import clean_isbd, clean_name, collect_isbns, dedupe, first_year

_TITLE_CODES = ("a", "b", "n", "p")
_LINK = re.compile(r"^(\d{3})-(\d{2})")
_NO_LANGUAGE = {"", "   ", "|||", "und", "###"}


def _sub(field: Field, code: str) -> str | None:
    """First non-blank value of a subfield, or None."""
    for value in field.get_subfields(code):
        if value and value.strip():
            return value
    return None


def _title_of(field: Field) -> str:
    parts = [v for sf in field.subfields if sf.code in _TITLE_CODES for v in [sf.value] if v]
    return clean_isbd(" ".join(parts))


def _link_of(field: Field) -> tuple[str, str] | None:
    """The (tag, occurrence) a field's $6 points to, e.g. 880 '$6245-02/$1' -> ('245', '02')."""
    six = _sub(field, "6")
    match = _LINK.match(six.strip()) if six else None
    return (match.group(1), match.group(2)) if match else None


def _originals(record: Record) -> dict[tuple[str, str], Field]:
    """880 fields keyed by the (tag, occurrence) of the romanised field they render."""
    found: dict[tuple[str, str], Field] = {}
    unlinked = 0
    for field in record.get_fields("880"):
        link = _link_of(field)
        if link is None:
            continue
        if link[1] == "00":  # '00' means no linked partner; keep each one distinct
            unlinked += 1
            link = (link[0], f"00#{unlinked}")
        found.setdefault(link, field)
    return found


def _partner(field: Field, originals: dict[tuple[str, str], Field]) -> Field | None:
    link = _link_of(field)
    if link is None or link[0] != "880":
        return None
    return originals.get((field.tag, link[1]))


def _title_original(record: Record, originals: dict[tuple[str, str], Field]) -> str | None:
    main = record.get_fields("245")
    partner = _partner(main[0], originals) if main else None
    if partner is None:
        partner = next((f for (tag, _), f in originals.items() if tag == "245"), None)
    return (_title_of(partner) or None) if partner is not None else None


def _authors(
    record: Record, originals: dict[tuple[str, str], Field]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names: list[str] = []
    scripts: list[str] = []
    used: set[int] = set()
    for field in record.get_fields("100", "700"):
        names.append(clean_name(_sub(field, "a") or ""))
        partner = _partner(field, originals)
        if partner is not None:
            used.add(id(partner))
            scripts.append(clean_name(_sub(partner, "a") or ""))
    for (tag, _), field in originals.items():
        if tag in ("100", "700") and id(field) not in used:
            scripts.append(clean_name(_sub(field, "a") or ""))
    return dedupe(names), dedupe(scripts)


def _publication(record: Record) -> tuple[str | None, int | None]:
    # 264 second indicator 1 is the publication statement; other 264s are production etc.
    fields = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    fields += record.get_fields("260") + record.get_fields("264")
    publisher = next((clean_isbd(v) for f in fields if (v := _sub(f, "b"))), None)
    year = next((y for f in fields if (y := first_year(_sub(f, "c")))), None)
    if year is None:
        year = first_year(_fixed(record)[7:11])
    return publisher or None, year


def _fixed(record: Record) -> str:
    fields = record.get_fields("008")
    return (fields[0].data or "") if fields else ""


def _language(record: Record) -> str | None:
    code = _fixed(record)[35:38].strip().lower()
    if code not in _NO_LANGUAGE and len(code) == 3 and code.isascii() and code.isalpha():
        return code
    for field in record.get_fields("041"):
        value = (_sub(field, "a") or "").strip().lower()
        if len(value) >= 3:
            return value[:3]
    return None


def _classes(record: Record) -> tuple[str | None, str | None, str | None]:
    clc = next(
        (
            clean_isbd(a)
            for f in record.get_fields("084")
            if (_sub(f, "2") or "").strip().lower() == "clc" and (a := _sub(f, "a"))
        ),
        None,
    )
    lc = next((clean_isbd(a) for f in record.get_fields("050") if (a := _sub(f, "a"))), None)
    # Dewey segmentation marks (/ and ') are for shelving software, not for people.
    dewey = next(
        (
            clean_isbd(a.replace("/", "").replace("'", ""))
            for f in record.get_fields("082")
            if (a := _sub(f, "a"))
        ),
        None,
    )
    return clc or None, lc or None, dewey or None


def _copies(record: Record) -> tuple[CopySpec, ...]:
    copies: list[CopySpec] = []
    for field in record.get_fields("852"):
        shelf = " ".join(v.strip() for c in "khim" if (v := _sub(field, c)))
        copies.append(
            CopySpec(
                barcode=(_sub(field, "p") or "").strip() or None,
                branch=(_sub(field, "b") or _sub(field, "a") or "").strip() or None,
                shelf_mark=shelf or None,
                item_type=None,
            )
        )
    for field in record.get_fields("952"):  # Koha item: $a home branch, $b holding branch
        copies.append(
            CopySpec(
                barcode=(_sub(field, "p") or "").strip() or None,
                branch=(_sub(field, "a") or _sub(field, "b") or "").strip() or None,
                shelf_mark=(_sub(field, "o") or "").strip() or None,
                item_type=(_sub(field, "y") or "").strip() or None,
            )
        )
    return tuple(copies)


def control_number_of(record: Record) -> str | None:
    """The 001 control number, stripped, or None."""
    fields = record.get_fields("001")
    value = (fields[0].data or "").strip() if fields else ""
    return value or None


def map_record(
    record: Record, position: int, warnings: tuple[str, ...] = ()
) -> TitleRecord | RecordError:
    """Turn a decoded MARC record into the TitleRecord Lector catalogues."""
    control = control_number_of(record)
    main = record.get_fields("245")
    title = _title_of(main[0]) if main else ""
    if not title:
        return RecordError(position, control, "missing_title")
    originals = _originals(record)
    authors, authors_original = _authors(record, originals)
    isbns, isbn_errors = collect_isbns(
        [v for f in record.get_fields("020") for v in f.get_subfields("a") if v.strip()]
    )
    publisher, year = _publication(record)
    clc, lc, dewey = _classes(record)
    return TitleRecord(
        source_position=position,
        control_number=control,
        system_numbers=dedupe(
            [v.strip() for f in record.get_fields("035") for v in f.get_subfields("a")]
        ),
        title=title,
        title_original=_title_original(record, originals),
        authors=authors,
        authors_original=authors_original,
        isbns=isbns,
        isbn_errors=isbn_errors,
        publisher=publisher,
        year=year,
        language=_language(record),
        clc_class=clc,
        lc_class=lc,
        dewey=dewey,
        subjects=dedupe([clean_isbd(a) for f in record.get_fields("650") if (a := _sub(f, "a"))]),
        copies=_copies(record),
        warnings=warnings,
    )
