"""Locale formatting for notices: dates in the reader's language, fen as yuan."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)


def _as_date_or_datetime(value: object) -> date:
    # Task payloads arrive as JSON, so ISO strings are accepted as well as date objects.
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    raise TypeError(f"expected a date, datetime or ISO string, got {value!r}")


def _local(value: date, tz: str) -> date:
    """Move an aware datetime into the library's zone; dates and naive datetimes stay as given."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(ZoneInfo(tz))
    return value


def _is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def format_date(value: object, lang: str, tz: str = DEFAULT_TIMEZONE) -> str:
    """Format a date: zh-CN '2026年12月3日', en '3 December 2026'."""
    d = _local(_as_date_or_datetime(value), tz)
    if _is_zh(lang):
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def format_datetime(value: object, lang: str, tz: str = DEFAULT_TIMEZONE) -> str:
    """Format an instant in library time: '2026年12月3日 17:00' / '3 December 2026, 17:00'."""
    d = _local(_as_date_or_datetime(value), tz)
    day = format_date(d, lang, tz)
    if not isinstance(d, datetime):
        return day
    return f"{day} {d:%H:%M}" if _is_zh(lang) else f"{day}, {d:%H:%M}"


def format_money(fen: object, lang: str = "zh-CN") -> str:
    """Format an integer amount of fen as yuan: 1230 -> '¥12.30', 123450 -> '¥1,234.50'."""
    # Same rendering in zh-CN and en; the parameter is kept so other currencies can differ later.
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money is an integer number of fen, got {fen!r}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"
