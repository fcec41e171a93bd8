"""A reader's year in reading, replayed from their own stream of the log (opt-in).

Only for a reader who keeps a reading history, and only when they ask (the API serves it to
the reader alone, never to staff). Books: loans opened in the year (library-local dates);
a title borrowed twice is one book. Pages: the title's extent ("320 p.", "320页") when the
catalogue knows it. Longest streak: the most consecutive ISO weeks with at least one loan
(days are too strict for a library: few readers borrow daily). Favourite book: the title
borrowed most often that year, then the earliest; "others" counts the other readers who keep
a history and borrowed it (at any time).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from events.loans import LoanOpened
from events.readers import ReaderErased
from events.streams import reader_stream
from projections import recommendation_queries as q
from projections.reading_history import keeps_history
from service.application.context import Ports
from service.domain.errors import Forbidden, NotFound

PROJECTIONS = ("reading_history", "co_borrowing", "catalogue")
_PAGES = re.compile(r"(\d{1,5})\s*(?:p\b|pp\b|pages?\b|页|頁)", re.IGNORECASE)


def history_off() -> Forbidden:
    return Forbidden("reading_year_history_off",
                     "A reading year needs your reading history, which is switched off.",
                     "您已关闭借阅历史，无法生成阅读年度报告。")


def pages_of(extent: str | None) -> int | None:
    """The page count in a title's extent, or None."""
    if not extent:
        return None
    found = _PAGES.search(extent)
    return int(found.group(1)) if found else None


def longest_week_streak(days: list[date]) -> tuple[int, date | None, date | None]:
    """(weeks, Monday of the first week, Monday of the last week) of the longest run of
    consecutive ISO weeks with a loan; the earliest run wins a tie."""
    mondays = sorted({d - timedelta(days=d.weekday()) for d in days})
    best: tuple[int, date | None, date | None] = (0, None, None)
    run_start, length = None, 0
    for i, monday in enumerate(mondays):
        if i and monday - mondays[i - 1] == timedelta(weeks=1):
            length += 1
        else:
            run_start, length = monday, 1
        if length > best[0]:
            best = (length, run_start, monday)
    return best


def reading_year(ports: Ports, conn: Connection, reader_id: str, year: int) -> dict[str, Any]:
    """The reader's year, or a refusal: unknown reader, or history switched off."""
    loaded = ports.store.load([reader_stream(reader_id)])
    if not loaded.version(reader_stream(reader_id)):
        raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
    if any(isinstance(s.event, ReaderErased) for s in loaded.events) \
            or not keeps_history(conn, reader_id):
        raise history_off()
    zone = ZoneInfo(ports.timezone)
    loans = [(s.event.opened_at.astimezone(zone), s.event) for s in loaded.events
             if isinstance(s.event, LoanOpened)
             and s.event.opened_at.astimezone(zone).year == year]
    loans.sort(key=lambda x: (x[0], x[1].loan_id))
    title_ids = sorted({e.title_id for _, e in loans})
    info = q.describe_full(conn, title_ids)
    times = Counter(e.title_id for _, e in loans)
    first_seen = {}
    for at, e in loans:
        first_seen.setdefault(e.title_id, at)
    classes: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    pages = 0
    for t in title_ids:
        row = info.get(t, {})
        if row.get("clc_class"):
            classes[str(row["clc_class"]).strip()[:1].upper()] += 1
        for name in row.get("authors") or []:
            authors[str(name)] += 1
        pages += pages_of(row.get("pages")) or 0
    months = Counter(at.month for at, _ in loans)
    streak, streak_from, streak_to = longest_week_streak([at.date() for at, _ in loans])
    favourite = min(times, key=lambda t: (-times[t], first_seen[t])) if times else None

    def book(title_id: str | None, at: Any = None) -> dict[str, Any] | None:
        if title_id is None:
            return None
        row = info.get(title_id, {})
        return {"title_id": title_id, "title": row.get("title"),
                "authors": row.get("authors") or [],
                "borrowed_on": at.date() if at is not None else None}

    return {
        "reader_id": reader_id, "year": year, "books": len(title_ids), "loans": len(loans),
        "pages": pages, "pages_known": sum(1 for t in title_ids
                                          if pages_of(info.get(t, {}).get("pages"))),
        "favourite_classes": [{"clc_class": c, "books": n}
                              for c, n in sorted(classes.items(), key=lambda x: (-x[1], x[0]))[:3]],
        "favourite_authors": [{"name": a, "books": n}
                              for a, n in sorted(authors.items(), key=lambda x: (-x[1], x[0]))[:3]],
        "busiest_month": (min(months, key=lambda m: (-months[m], m)) if months else None),
        "busiest_month_loans": max(months.values()) if months else 0,
        "longest_streak_weeks": streak,
        "streak_from": streak_from,
        "streak_to": streak_to + timedelta(days=6) if streak_to else None,
        "first_book": book(loans[0][1].title_id, loans[0][0]) if loans else None,
        "last_book": book(loans[-1][1].title_id, loans[-1][0]) if loans else None,
        "favourite_book": book(favourite),
        "others_read_favourite": max(q.title_readers(conn, favourite) - 1, 0) if favourite else 0,
    }
