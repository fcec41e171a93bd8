"""ISBN validation and normalisation: every ISBN becomes its 13-digit form."""

from __future__ import annotations

from typing import Literal

IsbnReason = Literal["bad_length", "bad_characters", "bad_checksum"]

# Separators people and catalogues put inside ISBNs; all are dropped before checking.
_SEPARATORS = str.maketrans("", "", "- \u00a0\u2010\u2011\u2012\u2013\u2014")


class InvalidIsbn(ValueError):
    """An ISBN that cannot be normalised; `.reason` says why in a stable code."""

    def __init__(self, raw: str, reason: IsbnReason) -> None:
        super().__init__(f"invalid ISBN {raw!r}: {reason}")
        self.raw = raw
        self.reason: IsbnReason = reason


def _isbn10_check_digit(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    """The ISBN-13 / EAN-13 check digit for twelve digits (the only implementation)."""
    if len(first12) != 12 or not (first12.isascii() and first12.isdigit()):
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalize_isbn(raw: str) -> str:
    """Return the 13 ISBN digits for an ISBN-10 or ISBN-13; raise InvalidIsbn otherwise."""
    text = raw.strip().translate(_SEPARATORS).upper()
    if len(text) not in (10, 13):
        raise InvalidIsbn(raw, "bad_length")
    if len(text) == 10:
        body, check = text[:9], text[9]
        if not (body.isascii() and body.isdigit()) or not (check.isdigit() or check == "X"):
            raise InvalidIsbn(raw, "bad_characters")
        if _isbn10_check_digit(body) != check:
            raise InvalidIsbn(raw, "bad_checksum")
        first12 = "978" + body
        return first12 + isbn13_check_digit(first12)
    if not (text.isascii() and text.isdigit()):
        raise InvalidIsbn(raw, "bad_characters")
    if isbn13_check_digit(text[:12]) != text[12]:
        raise InvalidIsbn(raw, "bad_checksum")
    return text


def isbn10_from_13(isbn13: str) -> str | None:
    """Return the ISBN-10 for a 978-prefixed ISBN-13, or None when none exists (979 prefix)."""
    digits = normalize_isbn(isbn13)
    if not digits.startswith("978"):
        return None
    body = digits[3:12]
    return body + _isbn10_check_digit(body)
