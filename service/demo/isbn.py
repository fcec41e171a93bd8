"""ISBN-13 check digits and conversion from ISBN-10 (pure)."""

from __future__ import annotations


def isbn13_check_digit(first12: str) -> str:
    """The ISBN-13 / EAN-13 check digit for twelve digits."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_isbn13(isbn: str) -> bool:
    """True when isbn is 13 digits starting 978/979 with a correct check digit."""
    return (
        len(isbn) == 13
        and isbn.isdigit()
        and isbn[:3] in ("978", "979")
        and isbn13_check_digit(isbn[:12]) == isbn[12]
    )


def isbn10_to_13(isbn10: str) -> str | None:
    """ISBN-13 for a valid ISBN-10 (leading zeros restored), else None."""
    raw = isbn10.strip().upper().zfill(10)
    if len(raw) != 10 or not raw[:9].isdigit() or not (raw[9].isdigit() or raw[9] == "X"):
        return None
    total = sum((10 - i) * int(d) for i, d in enumerate(raw[:9]))
    total += 10 if raw[9] == "X" else int(raw[9])
    if total % 11 != 0:
        return None
    body = "978" + raw[:9]
    return body + isbn13_check_digit(body)


def make_isbn13(prefix: str, serial: int) -> str:
    """A valid ISBN-13 from a registrant prefix (e.g. '9787020') padded with a serial number."""
    width = 12 - len(prefix)
    if width < 1 or serial >= 10**width:
        raise ValueError(f"serial {serial} does not fit after prefix {prefix}")
    body = f"{prefix}{serial:0{width}d}"
    return body + isbn13_check_digit(body)
