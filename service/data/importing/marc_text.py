"""Small text rules for MARC values: ISBD punctuation, names, years, ISBN subfields."""

from __future__ import annotations

import re
import unicodedata

from service.data.importing.marc_model import IsbnIssue
from service.domain.catalogue.isbn import InvalidIsbn, normalize_isbn

# ISBD puts these between elements; at the end of a value they are separators, not content.
# The full-width forms appear in CJK cataloguing (880 fields).
_TRAILING_ISBD = " /:;,.=\t／：；，．＝、。"
# Left-to-right and right-to-left marks wrap RTL 880 values; they are invisible noise here.
_DIRECTION_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_INITIAL_AT_END = re.compile(r"(?:^|[\s.,])\w\.$")


def tidy(value: str) -> str:
    """NFC-normalise, drop direction marks and collapse runs of whitespace."""
    text = unicodedata.normalize("NFC", value).translate(_DIRECTION_MARKS)
    return " ".join(text.split())


def clean_isbd(value: str) -> str:
    """Strip ISBD separators and spaces from the end of a value (and spaces from the start)."""
    text = tidy(value)
    return text.rstrip(_TRAILING_ISBD).strip()


def clean_name(value: str) -> str:
    """Clean a personal name: drop trailing commas, keep the full stop of a final initial."""
    text = tidy(value).rstrip(" ,;:/，；：／")
    if text.endswith("．"):  # a full-width full stop never marks an initial
        text = text[:-1].rstrip()
    if text.endswith(".") and not _INITIAL_AT_END.search(text):
        text = text[:-1].rstrip(" ,")
    return text


def first_year(value: str | None) -> int | None:
    """The first four-digit year in a date statement such as 'c2009.' or '[1998?]'."""
    if not value:
        return None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def isbn_from_subfield(raw: str) -> str:
    """Normalise an 020 $a like '0306406152 (pbk.) :'; raise InvalidIsbn if none is there."""
    head = re.split(r"[(:;]", raw, maxsplit=1)[0].strip()
    try:
        return normalize_isbn(head)
    except InvalidIsbn:
        # Some catalogues write qualifiers without brackets: '9787020002207 pbk'.
        first = head.split()[0] if head.split() else ""
        if first and first != head:
            try:
                return normalize_isbn(first)
            except InvalidIsbn:
                pass
        raise


def collect_isbns(raw_values: list[str]) -> tuple[tuple[str, ...], tuple[IsbnIssue, ...]]:
    """Normalise every 020 $a: valid ISBN-13s (de-duplicated, in order) and the problems."""
    isbns: list[str] = []
    issues: list[IsbnIssue] = []
    for raw in raw_values:
        try:
            isbn = isbn_from_subfield(raw)
        except InvalidIsbn as exc:
            issues.append(IsbnIssue(raw=raw.strip(), reason=exc.reason))
            continue
        if isbn not in isbns:
            isbns.append(isbn)
    return tuple(isbns), tuple(issues)


def dedupe(values: list[str]) -> tuple[str, ...]:
    """Non-empty values in first-seen order, each once."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return tuple(seen)
