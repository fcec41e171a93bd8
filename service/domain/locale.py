"""The one locale module: money, dates, numbers and language negotiation with CLDR (Babel).

Every text a person reads that shows an amount, a date or a number goes through here, so the
desk, the API's messages and the notices agree. The forms are CLDR's, not ours:

- money: zh-CN "¥1,234.50", en "CN¥1,234.50" (CLDR's English symbol for the yuan, which
  keeps it apart from the Japanese yen), negatives "-¥1,234.50" / "-CN¥1,234.50";
- dates: zh-CN "2026年12月3日", en "December 3, 2026" (CLDR "long");
- date and time: zh-CN "2026年12月3日 17:00", en "December 3, 2026, 5:00 PM", always in the
  library's time zone, which the caller passes in from configuration (never guessed here).

Machine formats (SIP2 amounts "12.50", CSV columns) are codecs, not display; they share
``fen_to_decimal``/``decimal_to_fen`` so there is one exact fen <-> yuan conversion.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.dates import get_datetime_format
from babel.numbers import format_currency, format_decimal

from service.domain.i18n import FieldProblems, Message

ZH, EN = "zh-CN", "en"
LANGS = (ZH, EN)
# The library's own language: what a reader who never chose one gets in a notice.
LIBRARY_LANG = ZH

# Fifteen integer digits (under a thousand trillion yuan) keeps every amount inside a
# PostgreSQL BIGINT of fen and refuses pasted nonsense early.
MAX_YUAN_DIGITS = 15
_AMOUNT = re.compile(
    r"(?P<sign>[+-])?(?:CN)?¥?(?P<yuan>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<fraction>[0-9]{1,2}))?元?"
)
_BAD_AMOUNT = Message(
    en="must be an amount in yuan with at most two decimals, like 12.30",
    zh="须为最多两位小数的元金额，如 12.30",
)
_TOO_LARGE = Message(en="amount is too large", zh="金额过大")
_FEN = Decimal("0.01")


class AmountInvalid(FieldProblems):
    """A money amount could not be read; ``problems`` has key "amount"."""


def negotiate_lang(value: str | None, default: str) -> str:
    """Pick "zh-CN" or "en" from a language tag or an Accept-Language header, else ``default``.

    One rule for every caller: the highest-q tag whose primary subtag is zh or en wins (any
    Chinese tag reads as zh-CN, any English one as en); nothing usable gives ``default``,
    which each caller states (notices: LIBRARY_LANG; API messages: en, their documented
    fallback for clients that send no Accept-Language).
    """
    if default not in LANGS:
        raise ValueError(f"default must be one of {LANGS}, got {default!r}")
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((value or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
        chosen = {"zh": ZH, "en": EN, "*": default}.get(primary)
        if chosen is not None and quality > 0:
            ranked.append((-quality, index, chosen))
    return min(ranked)[2] if ranked else default


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    # Unknown tags format like English; which language to show is negotiate_lang's job.
    return Locale.parse("zh_Hans_CN") if negotiate_lang(lang, EN) == ZH else Locale.parse("en")


def fen_to_decimal(fen: int) -> Decimal:
    """Exact yuan for an integer number of fen: 1250 -> Decimal('12.50')."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money is an integer number of fen, got {fen!r}")
    return Decimal(fen).scaleb(-2)


def decimal_to_fen(yuan: Decimal) -> int:
    """Exact fen for a yuan Decimal with at most two decimals; ValueError otherwise."""
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{yuan} has more than two decimals")
    return int(fen)


def format_money(fen: int, lang: str | None, currency: str = "CNY") -> str:
    """Show an amount for people in CLDR form: zh-CN "¥1,234.50", en "CN¥1,234.50"."""
    return str(format_currency(fen_to_decimal(fen), currency, locale=_locale(lang or EN)))


def parse_money(text: str) -> int:
    """Read a yuan amount ("12.3", "¥1,234.50", "CN¥5", "-5", "8 元") exactly into fen."""
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
    fen = decimal_to_fen(Decimal(f"{digits}.{match['fraction'] or '0'}"))
    return -fen if match["sign"] == "-" else fen


def format_number(value: int | Decimal, lang: str | None) -> str:
    """A count or quantity with the language's grouping: 1234567 -> "1,234,567"."""
    return str(format_decimal(value, locale=_locale(lang or EN)))


def as_date_or_datetime(value: object) -> date:
    """A date or datetime; ISO strings are accepted because task payloads arrive as JSON."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    raise TypeError(f"expected a date, datetime or ISO string, got {value!r}")


def _local(value: date, tz: str | None) -> date:
    """An aware datetime moved into the library's zone; dates and naive datetimes stay."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        if not tz:
            raise ValueError("an aware datetime needs the library's time zone to be shown")
        return value.astimezone(ZoneInfo(tz))
    return value


def format_date(value: object, lang: str | None, tz: str | None = None) -> str:
    """A day in CLDR long form: zh-CN "2026年12月3日", en "December 3, 2026"."""
    day = _local(as_date_or_datetime(value), tz)
    return str(_babel_date(day, "long", locale=_locale(lang or EN)))


def format_datetime(value: object, lang: str | None, tz: str | None = None) -> str:
    """An instant in library time: "2026年12月3日 17:00" / "December 3, 2026, 5:00 PM"."""
    moment = _local(as_date_or_datetime(value), tz)
    if not isinstance(moment, datetime):
        return format_date(moment, lang)
    wall = moment.replace(tzinfo=None)  # already in the library's zone
    locale = _locale(lang or EN)
    day = format_date(wall, lang)
    clock = str(_babel_time(wall, "short", locale=locale))
    # CLDR's medium glue ("{1}, {0}" in English, "{1} {0}" in Chinese) joins long date + time.
    return str(get_datetime_format("medium", locale=locale)).replace("{1}", day).replace(
        "{0}", clock)
