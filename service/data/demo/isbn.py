"""ISBNs for the demo data: validity, ISBN-10 conversion and generation (pure).

The check digits come from service.domain.catalogue.isbn, so demo ISBNs are exactly what the catalogue
accepts.
"""

from __future__ import annotations

from service.domain.catalogue.isbn import InvalidIsbn, isbn13_check_digit, normalize_isbn


def is_valid_isbn13(isbn: str) -> bool:
    """True when isbn is 13 digits starting 978/979 with a correct check digit."""
    if len(isbn) != 13 or not (isbn.isascii() and isbn.isdigit()) or isbn[:3] not in ("978", "979"):
        return False
    return isbn13_check_digit(isbn[:12]) == isbn[12]


def isbn10_to_13(isbn10: str) -> str | None:
    """ISBN-13 for a valid ISBN-10 (leading zeros restored), else None."""
    raw = isbn10.strip().upper().zfill(10)
    if len(raw) != 10:
        return None
    try:
        return normalize_isbn(raw)
    except InvalidIsbn:
        return None


def make_isbn13(prefix: str, serial: int) -> str:
    """A valid ISBN-13 from a registrant prefix (e.g. '9787020') padded with a serial number."""
    width = 12 - len(prefix)
    if width < 1 or serial >= 10**width:
        raise ValueError(f"serial {serial} does not fit after prefix {prefix}")
    body = f"{prefix}{serial:0{width}d}"
    return body + isbn13_check_digit(body)
