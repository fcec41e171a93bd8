"""Shared field helpers for both MARC dialects: subfields, joins, years, formats, prices."""

from __future__ import annotations

import re

from pymarc import Field, Record

from service.data.importing.marc_text import clean_isbd, dedupe

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PRICE = re.compile(r"(\d+(?:\.\d{1,2})?)")
MIN_YEAR, MAX_YEAR = 1000, 2100  # the catalogue's (and the API's) range for a year


def sub(field: Field, code: str) -> str | None:
    """First non-blank value of a subfield, or None."""
    for value in field.get_subfields(code):
        if value and value.strip():
            return value
    return None


def subs(field: Field, codes: str) -> list[str]:
    """Non-blank values of the given subfield codes, in field order."""
    return [sf.value for sf in field.subfields if sf.code in codes and sf.value.strip()]


def joined(field: Field, codes: str, sep: str = " ") -> str:
    """The given subfields, each cleaned of trailing ISBD punctuation, joined with ``sep``."""
    return sep.join(v for v in (clean_isbd(x) for x in subs(field, codes)) if v)


def heading(field: Field, main: str, subdivisions: str) -> str:
    """A subject heading: the main part, then each subdivision after ' -- '."""
    parts = [joined(field, main)] if subs(field, main) else []
    parts += [clean_isbd(sf.value) for sf in field.subfields
              if sf.code in subdivisions and sf.value.strip()]
    return " -- ".join(p for p in parts if p)


def year_in(value: str | None) -> int | None:
    """The first plausible four-digit year in a date statement ('c2009.', '[1998?]')."""
    for match in _YEAR.finditer(value or ""):
        year = int(match.group(1))
        if MIN_YEAR <= year <= MAX_YEAR:
            return year
    return None


def fixed_year(value: str) -> int | None:
    """A four-digit year from a fixed-length date (no 'u' or blanks), in range, or None."""
    if len(value) == 4 and value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    return None


def control(record: Record, tag: str) -> str:
    fields = record.get_fields(tag)
    return (fields[0].data or "") if fields else ""


def price_fen(value: str | None) -> int | None:
    """'CNY28.00', '￥28.00', '28.00元' -> 2800; None when no amount is there."""
    match = _PRICE.search((value or "").replace(",", ""))
    if not match:
        return None
    return round(float(match.group(1)) * 100)


# Leader/06 (type of record) -> title format. MARC 21 and UNIMARC agree on most letters.
_TYPE_FORMATS = {
    "a": "book", "t": "book", "c": "music_score", "d": "music_score", "e": "map", "f": "map",
    "g": "video", "i": "sound_recording", "j": "sound_recording", "k": "image",
    "m": "electronic", "o": "mixed", "p": "mixed", "r": "object",
}
_UNIMARC_TYPES = {**_TYPE_FORMATS, "b": "manuscript", "l": "electronic", "m": "mixed"}


def title_format(leader: str, unimarc: bool = False) -> str:
    """The title's format from leader/06 (type) and /07 (bibliographic level)."""
    kind, level = (leader + " " * 8)[6], (leader + " " * 8)[7]
    fmt = (_UNIMARC_TYPES if unimarc else _TYPE_FORMATS).get(kind, "book")
    if fmt == "book" and level in ("s", "b", "i"):  # serials and integrating resources
        return "serial"
    return fmt


def languages(codes: list[str]) -> tuple[str, ...]:
    """ISO 639-2 codes, each once, in order; '041 $aengfre' (old style) splits in threes."""
    found: list[str] = []
    for raw in codes:
        text = raw.strip().lower()
        if len(text) % 3 == 0 and text.isascii() and text.isalpha():
            found += [text[i:i + 3] for i in range(0, len(text), 3)]
    return dedupe([c for c in found if c not in ("und", "zxx")])
