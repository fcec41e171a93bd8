"""Money as integer fen (CNY): formatting for people and exact parsing of yuan amounts."""

from __future__ import annotations

import re
import unicodedata

from service.core.i18n import FieldProblems, Message, normalize_lang

# Fifteen integer digits (under a thousand trillion yuan) keeps every amount inside a
# PostgreSQL BIGINT of fen and refuses pasted nonsense early.
MAX_YUAN_DIGITS = 15
_AMOUNT = re.compile(
    r"(?P<sign>[+-])?¥?(?P<yuan>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]{1,2}))?元?"
)
_BAD_AMOUNT = Message(
    en="must be an amount in yuan with at most two decimals, like 12.30",
    zh="须为最多两位小数的元金额，如 12.30",
)
_TOO_LARGE = Message(en="amount is too large", zh="金额过大")


class AmountInvalid(FieldProblems):
    """A money amount could not be read; ``problems`` has key "amount"."""


def format_fen(fen: int, lang: str | None) -> str:
    """Show an amount for people: "¥1,234.50" in English, "1,234.50 元" in Chinese."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    number = f"{yuan:,}.{cents:02d}"
    if normalize_lang(lang) == "zh":
        return f"{sign}{number} 元"
    return f"{sign}¥{number}"


def parse_yuan(text: str) -> int:
    """Read a yuan amount ("12.3", "¥1,234.50", "-5", "8 元") exactly into fen."""
    # NFKC turns what a Chinese input method types (１２．５０, ￥, full-width comma) into
    # ASCII; spaces are dropped except between digits, so "8 元" reads but "1 2" does not.
    normal = unicodedata.normalize("NFKC", text).strip()
    compact = re.sub(r"(?<=[^0-9])\s+|\s+(?=[^0-9])", "", normal)
    match = _AMOUNT.fullmatch(compact)
    if match is None:
        raise AmountInvalid({"amount": _BAD_AMOUNT})
    digits = match["yuan"].replace(",", "")
    if len(digits.lstrip("0")) > MAX_YUAN_DIGITS:
        raise AmountInvalid({"amount": _TOO_LARGE})
    fen = int(digits) * 100 + int((match["fraction"] or "0").ljust(2, "0"))
    return -fen if match["sign"] == "-" else fen
