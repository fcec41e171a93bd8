"""Map one decoded MARC 21 pymarc Record to a TitleRecord (or a RecordError: no title)."""

from __future__ import annotations

import re

from pymarc import Field, Record

from service.data.importing.marc_fields import (
    control,
    fixed_year,
    heading,
    joined,
    languages,
    sub,
    subs,
    title_format,
    year_in,
)
from service.data.importing.marc_holdings import marc21_copies
from service.data.importing.marc_model import ClassMark, Name, RecordError, TitleRecord
from service.data.importing.marc_relators import is_author, role_of
from service.data.importing.marc_text import clean_isbd, clean_name, collect_isbns, dedupe

_TITLE_CODES = "abnp"
_LINK = re.compile(r"^(\d{3})-(\d{2})")
# tag -> (kind, subfields of the name, relator term subfield, role when none is given).
# A 700 without relator was always an author here; a body in 710/711 is usually not.
_NAME_TAGS = {
    "100": ("personal", "abcq", "e", "author"), "700": ("personal", "abcq", "e", "author"),
    "110": ("corporate", "ab", "e", "author"), "710": ("corporate", "ab", "e", "contributor"),
    "111": ("meeting", "aqndc", "j", "author"), "711": ("meeting", "aqndc", "j", "contributor"),
}
# tag -> (main-part subfields); subdivisions are always $v $x $y $z
_SUBJECT_TAGS = {"600": "abcdqt", "610": "abt", "611": "acdnqt", "630": "anpl",
                 "650": "ab", "651": "a", "655": "a", "653": "a"}
_VARIANT_TAGS = {"246": "abnp", "240": "anpl", "130": "anpl", "730": "anpl"}
_PUBLICATION_TAGS = ("260", "264")


def _link_of(field: Field) -> tuple[str, str] | None:
    """The (tag, occurrence) a field's $6 points to, e.g. 880 '$6245-02/$1' -> ('245', '02')."""
    six = sub(field, "6")
    match = _LINK.match(six.strip()) if six else None
    return (match.group(1), match.group(2)) if match else None


class _Originals:
    """880 fields by the (tag, occurrence) they render; unlinked ones ('00') kept apart."""

    def __init__(self, record: Record) -> None:
        self.linked: dict[tuple[str, str], Field] = {}
        self.unlinked: list[tuple[str, Field]] = []
        for field in record.get_fields("880"):
            link = _link_of(field)
            if link is None:
                continue
            if link[1] == "00":
                self.unlinked.append((link[0], field))
            else:
                self.linked.setdefault(link, field)

    def of(self, field: Field) -> Field | None:
        link = _link_of(field)
        if link is None or link[0] != "880":
            return None
        return self.linked.get((field.tag, link[1]))

    def tagged(self, *tags: str) -> list[Field]:
        """Every 880 rendering one of ``tags`` (linked or not)."""
        return [f for (tag, _), f in self.linked.items() if tag in tags] + [
            f for tag, f in self.unlinked if tag in tags]


def _title_of(field: Field) -> str:
    return clean_isbd(" ".join(subs(field, _TITLE_CODES)))


def _name_of(field: Field, tag: str) -> str:
    kind, codes, _, _ = _NAME_TAGS[tag]
    if kind == "personal":
        return clean_name(" ".join(subs(field, codes)))
    return clean_isbd(joined(field, codes, ". " if kind == "corporate" else " "))


def _names(record: Record, originals: _Originals) -> tuple[Name, ...]:
    names: list[Name] = []
    used: set[int] = set()
    for field in record.get_fields(*_NAME_TAGS):
        kind, _, term, default = _NAME_TAGS[field.tag]
        partner = originals.of(field)
        original = None
        if partner is not None:
            used.add(id(partner))
            original = _name_of(partner, field.tag) or None
        name = _name_of(field, field.tag)
        if name:
            role = role_of(field.get_subfields(term), field.get_subfields("4"), default)
            names.append(Name(name, role, kind, original))
    for partner in originals.tagged(*_NAME_TAGS):
        tag = (_link_of(partner) or ("100", ""))[0]
        if id(partner) not in used and (name := _name_of(partner, tag)):
            kind, _, term, default = _NAME_TAGS[tag]
            role = role_of(partner.get_subfields(term), partner.get_subfields("4"), default)
            names.append(Name(name, role, kind, None))
    return tuple(dict.fromkeys(names))


def _publication(record: Record, originals: _Originals) -> tuple[str | None, str | None, int | None]:
    # 264 second indicator 1 is the publication statement; other 264s are production etc.
    fields = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    fields += record.get_fields(*_PUBLICATION_TAGS)
    publisher = next((clean_isbd(v) for f in fields if (v := sub(f, "b"))), None)
    vernacular = [f for f in originals.tagged(*_PUBLICATION_TAGS) if sub(f, "b")]
    original = clean_isbd(sub(vernacular[0], "b") or "") if vernacular else None
    # 008 Date1 is the cataloguer's normalised year; 260 $c is transcribed ('XL 0282').
    fixed = control(record, "008")
    year = fixed_year(fixed[7:11]) if fixed[6:7] not in ("b", "n", "|") else None
    if year is None:
        year = next((y for f in fields for c in f.get_subfields("c") if (y := year_in(c))), None)
    return publisher or None, original or None, year


def _languages(record: Record) -> tuple[str, ...]:
    codes = [control(record, "008")[35:38]]
    codes += [v for f in record.get_fields("041") for v in f.get_subfields("a", "d")]
    return languages(codes)


def _classes(record: Record) -> tuple[ClassMark, ...]:
    marks: list[ClassMark] = []
    for field in record.get_fields("050", "060", "080", "082", "084", "090"):
        value = clean_isbd(sub(field, "a") or "")
        if not value:
            continue
        if field.tag == "084":
            scheme = clean_isbd(sub(field, "2") or "").lower() or "other"
        elif field.tag == "090":  # local call number: class and item part together
            scheme, value = "local", joined(field, "ab")
        else:
            scheme = {"050": "lcc", "060": "nlm", "080": "udc", "082": "ddc"}[field.tag]
        if scheme == "ddc":  # segmentation marks (/ and ') are for shelving software
            value = value.replace("/", "").replace("'", "")
        marks.append(ClassMark(scheme, value))
    return tuple(dict.fromkeys(marks))


def _subjects(record: Record) -> tuple[str, ...]:
    return dedupe([heading(f, _SUBJECT_TAGS[f.tag], "vxyz")
                   for f in record.get_fields(*_SUBJECT_TAGS)])


def _variant_titles(record: Record, originals: _Originals) -> tuple[str, ...]:
    fields = record.get_fields(*_VARIANT_TAGS) + originals.tagged(*_VARIANT_TAGS)
    titles = []
    for field in fields:
        tag = _link_of(field)[0] if field.tag == "880" else field.tag  # type: ignore[index]
        titles.append(clean_isbd(" ".join(subs(field, _VARIANT_TAGS[tag]))))
    return dedupe(titles)


def _series(record: Record) -> tuple[str, ...]:
    found = [joined(f, "av", " ; ") for f in record.get_fields("490", "440")]
    found += [joined(f, "atnpv", ". ") for f in record.get_fields("800", "810", "811", "830")]
    return dedupe(found)


def _format(record: Record) -> str:
    """Leader/06-07, and 008/23 (form of item) for text: o, q, s are online/electronic."""
    fmt = title_format(str(record.leader))
    if fmt == "book" and control(record, "008")[23:24] in ("o", "q", "s"):
        return "electronic"
    return fmt


def _first(record: Record, tag: str, codes: str, sep: str = " ") -> str | None:
    return next((v for f in record.get_fields(tag) if (v := joined(f, codes, sep))), None)


def control_number_of(record: Record) -> str | None:
    """The 001 control number, stripped, or None."""
    return control(record, "001").strip() or None


def map_record(
    record: Record, position: int, warnings: tuple[str, ...] = ()
) -> TitleRecord | RecordError:
    """Turn a decoded MARC 21 record into the TitleRecord Lector catalogues."""
    controlno = control_number_of(record)
    main = record.get_fields("245")
    title = _title_of(main[0]) if main else ""
    if not title:
        return RecordError(position, controlno, "missing_title")
    originals = _Originals(record)
    partner = originals.of(main[0]) or next(iter(originals.tagged("245")), None)
    names = _names(record, originals)
    isbns, isbn_errors = collect_isbns(
        [v for f in record.get_fields("020") for v in f.get_subfields("a") if v.strip()])
    publisher, publisher_original, year = _publication(record, originals)
    classes = _classes(record)
    langs = _languages(record)
    indicator = main[0].indicator2 or "0"
    by_scheme = {c.scheme: c.value for c in reversed(classes)}
    return TitleRecord(
        source_position=position, control_number=controlno,
        system_numbers=dedupe([v.strip() for f in record.get_fields("035")
                               for v in f.get_subfields("a")]),
        title=title, title_original=(_title_of(partner) or None) if partner else None,
        authors=dedupe([n.name for n in names if is_author(n.role)]),
        authors_original=dedupe([n.original or "" for n in names]),
        isbns=isbns, isbn_errors=isbn_errors, publisher=publisher, year=year,
        language=langs[0] if langs else None, clc_class=by_scheme.get("clc"),
        lc_class=by_scheme.get("lcc"), dewey=by_scheme.get("ddc"),
        subjects=_subjects(record), copies=marc21_copies(record), warnings=warnings,
        names=names, classes=classes, variant_titles=_variant_titles(record, originals),
        languages=langs, format=_format(record),
        nonfiling=int(indicator) if indicator.isdigit() else 0, series=_series(record),
        edition=_first(record, "250", "ab"), pages=_first(record, "300", "a"),
        summary=_first(record, "520", "ab"), publisher_original=publisher_original,
    )
