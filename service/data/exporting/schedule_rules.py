"""Scheduled exports as pure rules: validate a schedule, name its periods, say when one is due.

A weekly schedule's period is the ISO week (``2026-W49``), a monthly one's the month
(``2026-12``), both of the library's calendar. A period is due from its delivery day and time
(library time zone) until it ends; a scheduler that was down on the day still delivers later
in the same period, and never a period twice (the period key guards it).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from service.domain.i18n import FieldProblems, Message

CADENCES = ("weekly", "monthly")
DELIVERIES = ("folder", "email")
SCHEDULE_FORMATS = ("csv", "xlsx")
LANGS = ("zh-CN", "en")
MAX_RECIPIENTS = 20
_FOLDER_PART = re.compile(r"^[\w][\w.\- ]{0,63}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
FIELDS = ("name", "kind", "format", "lang", "cadence", "weekday", "monthday", "at", "delivery",
          "folder", "recipients")

REQUIRED = Message("is required", "必填")
ONE_OF = Message("must be one of {options}", "只能是 {options} 之一")
UNKNOWN_KIND = Message("no export of this kind; known: {options}", "没有这种导出；可用：{options}")
WEEKDAY = Message("a weekday from 1 (Monday) to 7 (Sunday)", "星期几：1（周一）到 7（周日）")
MONTHDAY = Message("a day of the month from 1 to 31 (a shorter month uses its last day)",
                   "每月几号：1 到 31（月份较短时取最后一天）")
NOT_FOR_CADENCE = Message("only for a {cadence} schedule", "仅用于{cadence_zh}计划")
TIME = Message("a time of day as HH:MM (library time)", "时间，格式 HH:MM（本馆时间）")
NAME = Message("1 to 200 characters", "1 到 200 个字符")
FOLDER = Message("a relative folder of letters, digits, '.', '_', '-' or spaces, at most 4 "
                 "levels, without '..'", "相对文件夹：字母、数字、“.”“_”“-”或空格，最多 4 级，不能含“..”")
RECIPIENTS = Message(f"1 to {MAX_RECIPIENTS} e-mail addresses", f"1 到 {MAX_RECIPIENTS} 个电子邮件地址")
EMAIL = Message("not an e-mail address: {value}", "不是电子邮件地址：{value}")
UNKNOWN_FIELD = Message("unknown field", "未知字段")
_CADENCE_ZH = {"weekly": "每周", "monthly": "每月"}


@dataclass(frozen=True)
class ScheduleSettings:
    """A schedule's settings, valid by construction (use ``parse_settings``)."""

    name: str
    kind: str
    format: str
    lang: str
    cadence: str
    weekday: int | None
    monthday: int | None
    at: str
    delivery: str
    folder: str | None
    recipients: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


def _choice(data: Mapping[str, Any], key: str, options: Collection[str],
            problems: dict[str, Message], default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        problems[key] = REQUIRED
    elif value not in options:
        problems[key] = ONE_OF.format(options=", ".join(options))
    return str(value)


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def safe_folder(value: Any) -> str | None:
    """A normalised relative folder ('' for the base itself), or None if it could escape."""
    if not isinstance(value, str) or len(value) > 200 or "\\" in value or "\x00" in value:
        return None
    path = PurePosixPath(value.strip())
    if path.is_absolute():
        return None
    parts = [p for p in path.parts if p != "."]
    if len(parts) > 4 or any(not _FOLDER_PART.match(p) or p.startswith("..") for p in parts):
        return None
    return "/".join(parts)


def parse_settings(data: Mapping[str, Any], kinds: Collection[str]) -> ScheduleSettings:
    """Check every field and say what is wrong with each (FieldProblems, zh-CN and en)."""
    problems: dict[str, Message] = {k: UNKNOWN_FIELD for k in data if k not in FIELDS}
    name = data.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        problems["name"] = REQUIRED if name is None else NAME
    kind = data.get("kind")
    if kind is None:
        problems["kind"] = REQUIRED
    elif kind not in kinds:
        problems["kind"] = UNKNOWN_KIND.format(options=", ".join(kinds))
    fmt = _choice(data, "format", SCHEDULE_FORMATS, problems, "csv")
    lang = _choice(data, "lang", LANGS, problems, "zh-CN")
    cadence = _choice(data, "cadence", CADENCES, problems)
    weekday = monthday = None
    for key, wanted, low, high, message in (("weekday", "weekly", 1, 7, WEEKDAY),
                                            ("monthday", "monthly", 1, 31, MONTHDAY)):
        value = data.get(key)
        if cadence == wanted:
            parsed = _whole(value, low, high)
            if parsed is None:
                problems[key] = REQUIRED if value is None else message
            weekday, monthday = (parsed, monthday) if key == "weekday" else (weekday, parsed)
        elif value is not None and cadence in CADENCES:
            problems[key] = NOT_FOR_CADENCE.format(cadence=wanted, cadence_zh=_CADENCE_ZH[wanted])
    at = data.get("at", "06:00")
    if not isinstance(at, str) or not _TIME.match(at):
        problems["at"] = TIME
    delivery = _choice(data, "delivery", DELIVERIES, problems)
    folder: str | None = None
    recipients: tuple[str, ...] = ()
    if delivery == "folder":
        folder = safe_folder(data.get("folder", ""))
        if folder is None:
            problems["folder"] = FOLDER
        if data.get("recipients"):
            problems["recipients"] = NOT_FOR_CADENCE.format(cadence="email", cadence_zh="邮件")
    elif delivery == "email":
        recipients = _recipients(data.get("recipients"), problems)
        if data.get("folder"):
            problems["folder"] = NOT_FOR_CADENCE.format(cadence="folder", cadence_zh="文件夹")
    if problems:
        raise FieldProblems(problems)
    return ScheduleSettings(str(name).strip(), str(kind), fmt, lang, cadence, weekday, monthday,
                            str(at), delivery, folder, recipients)


def _recipients(value: Any, problems: dict[str, Message]) -> tuple[str, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RECIPIENTS:
        problems["recipients"] = RECIPIENTS
        return ()
    out = []
    for n, item in enumerate(value):
        if not isinstance(item, str) or len(item) > 254 or not _EMAIL.match(item.strip()):
            problems[f"recipients[{n}]"] = EMAIL.format(value=str(item)[:80])
        else:
            out.append(item.strip())
    return tuple(dict.fromkeys(out))


def period_key(cadence: str, day: date) -> str:
    """The period a library-calendar day falls in: ``2026-W49`` or ``2026-12``."""
    if cadence == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def delivery_moment(s: ScheduleSettings, day: date, timezone: str) -> datetime:
    """When the period containing ``day`` is to be delivered (an aware instant)."""
    if s.cadence == "weekly":
        start = day - timedelta(days=day.isoweekday() - 1)
        target = start + timedelta(days=(s.weekday or 1) - 1)
    else:
        last = calendar.monthrange(day.year, day.month)[1]
        target = day.replace(day=min(s.monthday or 1, last))
    hour, minute = (int(x) for x in s.at.split(":"))
    return datetime.combine(target, time(hour, minute), ZoneInfo(timezone))


def due_period(s: ScheduleSettings, now: datetime, timezone: str) -> str | None:
    """The period to deliver at ``now``, or None before this period's delivery moment."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    if now < delivery_moment(s, today, timezone):
        return None
    return period_key(s.cadence, today)


def settings_from_row(row: Mapping[str, Any]) -> ScheduleSettings:
    """Settings as the projection stores them (already validated when recorded)."""
    return ScheduleSettings(row["name"], row["kind"], row["format"], row["lang"],
                            row["cadence"], row["weekday"], row["monthday"], row["at"],
                            row["delivery"], row["folder"], tuple(row["recipients"] or ()))
