"""Deliberately simple recomputations of every report straight from the raw event log.

Plain Python over the decoded events, no roll-ups, no SQL: the reconciliation tests compare
the projections' answers with these exactly.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.catalogue import CopyMarkedLost, TitleCatalogued, TitleUpdated
from events.feedback import FeedbackAnswered, FeedbackSubmitted, SuggestionDecided, SuggestionSubmitted
from events.holds import HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import ReaderRegistered
from events.store import StoredEvent


def top_class(clc: str | None) -> str:
    return clc[0].upper() if clc and clc[0].isalpha() else "?"


class Log:
    """The raw log, with the local day of every business time."""

    def __init__(self, stored: list[StoredEvent], zone: str) -> None:
        self.events, self.zone = stored, ZoneInfo(zone)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def of(self, *kinds: type) -> list[tuple[Any, StoredEvent]]:
        return [(s.event, s) for s in self.events if isinstance(s.event, kinds)]


def uses(log: Log, start: date, end: date) -> list[dict[str, Any]]:
    """Every checkout and renewal in the range as a flat record."""
    out = []
    for e, _ in log.of(LoanOpened, LoanRenewed):
        moment = e.opened_at if isinstance(e, LoanOpened) else e.renewed_at
        if start <= log.day(moment) <= end:
            out.append({"reader": e.reader_id, "title": e.title_id, "clc": top_class(e.clc_class),
                        "branch": e.branch or "?", "category": e.reader_category or "?",
                        "loan": isinstance(e, LoanOpened)})
    return out


def readers(log: Log, start: date, end: date, group_by: str | None = None,
            branch: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
    def keep(u: dict[str, Any]) -> bool:
        return (not branch or u["branch"] == branch) and (not category or u["category"] == category)

    def members(a: date, b: date) -> set[tuple[str, str]]:
        return {(u[group_by] if group_by else "all", u["reader"]) for u in uses(log, a, b) if keep(u)}

    days = (end - start).days + 1
    now = members(start, end)
    before = members(start - timedelta(days=days), start - timedelta(days=1))
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(
        ("active", "new", "returning", "lapsed", "loans", "renewals"), 0))
    for g, r in now:
        groups[g]["active"] += 1
        groups[g]["returning"] += (g, r) in before
    for g, _ in before - now:
        groups[g]["lapsed"] += 1
    for u in uses(log, start, end):
        if keep(u):
            groups[u[group_by] if group_by else "all"]["loans" if u["loan"] else "renewals"] += 1
    for e, s in log.of(ReaderRegistered):
        facts = {"branch": e.home_branch or "?", "category": e.category or "?"}
        if start <= log.day(s.recorded_at) <= end and (not branch or facts["branch"] == branch) \
                and (not category or facts["category"] == category):
            groups[facts[group_by] if group_by else "all"]["new"] += 1
    if not groups:
        groups["all"]
    return [{"group": g, **v, "loans_per_active": round(v["loans"] / v["active"], 2)
             if v["active"] else 0.0} for g, v in sorted(groups.items())]


def authors_now(log: Log) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for e, _ in log.of(TitleCatalogued, TitleUpdated):
        if isinstance(e, TitleCatalogued):
            names[e.title_id] = list(dict.fromkeys(e.authors))
        elif "authors" in e.changes:
            names[e.title_id] = list(dict.fromkeys(e.changes["authors"] or ()))
    return names


def top(log: Log, start: date, end: date, by: str, branch: str | None = None,
        category: str | None = None, clc: str | None = None) -> list[tuple[str, int, int]]:
    """(key, loans, renewals) of every group with a checkout, most loans first."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names = authors_now(log)
    for u in uses(log, start, end):
        if (branch and u["branch"] != branch) or (category and u["category"] != category) \
                or (clc and u["clc"] != clc):
            continue
        keys = names.get(u["title"], []) if by == "author" else [u["title" if by == "title" else "clc"]]
        for key in keys:
            counts[key][0 if u["loan"] else 1] += 1
    ranked = [(k, v[0], v[1]) for k, v in counts.items() if v[0] > 0]
    return sorted(ranked, key=lambda r: (-r[1], r[0]))


def trends(log: Log, start: date, end: date, interval: str, group_by: str | None
           ) -> list[dict[str, Any]]:
    def bucket(day: date) -> date:
        if interval == "week":
            return day - timedelta(days=day.weekday())
        return day.replace(day=1) if interval == "month" else day

    column = {"class": "clc", "branch": "branch", "category": "category"}.get(group_by or "")
    counts: dict[tuple[date, str], Counter[str]] = defaultdict(Counter)
    seen: dict[tuple[date, str], set[str]] = defaultdict(set)
    for e, _ in log.of(LoanOpened, LoanClosed, LoanRenewed, HoldPlaced):
        moment, name = {LoanOpened: ("opened_at", "checkouts"), LoanClosed: ("closed_at", "returns"),
                        LoanRenewed: ("renewed_at", "renewals"),
                        HoldPlaced: ("placed_at", "holds_placed")}[type(e)]
        day = log.day(getattr(e, moment))
        if not start <= day <= end:
            continue
        cell = {"clc": top_class(e.clc_class), "category": e.reader_category or "?",
                "branch": (e.pickup_branch if isinstance(e, HoldPlaced) else e.branch) or "?"}
        key = (bucket(day), cell[column] if column else "all")
        counts[key][name] += 1
        if isinstance(e, LoanOpened):
            seen[key].add(e.reader_id)
    return [{"period": p.isoformat(), "group": g,
             **{n: c[n] for n in ("checkouts", "returns", "renewals", "holds_placed")},
             "distinct_readers": len(seen[(p, g)])} for (p, g), c in sorted(counts.items())]


def nearest(values: list[float], p: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[max(math.ceil(p * len(ordered)) - 1, 0)], 2) if ordered else None


def overdue(log: Log, as_of: date) -> dict[str, int]:
    """Loans open at the end of ``as_of`` by days past the due date then in force."""
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), log.zone)
    due: dict[str, date] = {}
    for e, s in log.of(LoanOpened, LoanRenewed, LoanClosed, CopyMarkedLost):
        opens = isinstance(e, LoanOpened) and e.opened_at < end
        renews = isinstance(e, LoanRenewed) and e.renewed_at < end and e.loan_id in due
        closes = isinstance(e, LoanClosed) and e.closed_at < end
        lost = isinstance(e, CopyMarkedLost) and e.loan_id and s.recorded_at < end
        if opens or renews:
            due[e.loan_id] = e.due_on
        elif closes or lost:
            due.pop(e.loan_id, None)
    out = {"1-7": 0, "8-30": 0, "31-90": 0, "91+": 0}
    for d in due.values():
        late = (as_of - d).days
        if late >= 1:
            out["1-7" if late <= 7 else "8-30" if late <= 30 else "31-90" if late <= 90 else "91+"] += 1
    return out


def hold_fill(log: Log, start: date, end: date) -> dict[str, Any]:
    placed: dict[str, datetime] = {}
    trapped: dict[str, datetime] = {}
    picked: dict[str, datetime] = {}
    for e, _ in log.of(HoldPlaced, HoldTrapped, LoanOpened):
        if isinstance(e, HoldPlaced):
            placed[e.hold_id] = e.placed_at
        elif isinstance(e, HoldTrapped):
            trapped.setdefault(e.hold_id, e.trapped_at)
        elif e.hold_id:
            picked[e.hold_id] = e.opened_at
    inside = [h for h, t in trapped.items() if start <= log.day(t) <= end]
    fill = [(trapped[h] - placed[h]).total_seconds() / 3600 for h in inside]
    pickup = [(picked[h] - trapped[h]).total_seconds() / 3600 for h in inside if h in picked]
    return {"placed": sum(start <= log.day(t) <= end for t in placed.values()),
            "trapped": len(fill), "fill": (len(fill), nearest(fill, .5), nearest(fill, .9)),
            "pickup": (len(pickup), nearest(pickup, .5), nearest(pickup, .9))}


def actions(log: Log, start: date, end: date) -> list[dict[str, Any]]:
    """Every checkout, return, renewal and hold placed in the range, with its channel."""
    out = []
    for e, s in log.of(LoanOpened, LoanClosed, LoanRenewed, HoldPlaced):
        moment, kind = {LoanOpened: ("opened_at", "checkout"), LoanClosed: ("closed_at", "return"),
                        LoanRenewed: ("renewed_at", "renewal"), HoldPlaced: ("placed_at", "hold")}[type(e)]
        local = getattr(e, moment).astimezone(log.zone)
        if start <= local.date() <= end:
            out.append({"kind": kind, "weekday": local.weekday(), "hour": local.hour,
                        "channel": s.meta.get("channel") or "api", "reader": e.reader_id,
                        "branch": (e.pickup_branch if kind == "hold" else e.branch) or "?"})
    return out


def messages(log: Log, start: date, end: date) -> list[tuple[str, int, int, Any, Any]]:
    sent: dict[str, tuple[str, datetime]] = {}
    answered: dict[str, datetime] = {}
    for e, _ in log.of(FeedbackSubmitted, SuggestionSubmitted, FeedbackAnswered, SuggestionDecided):
        if isinstance(e, FeedbackSubmitted):
            sent["f" + e.feedback_id] = ("feedback", e.submitted_at)
        elif isinstance(e, SuggestionSubmitted):
            sent["s" + e.suggestion_id] = ("suggestion", e.submitted_at)
        elif isinstance(e, FeedbackAnswered):
            answered.setdefault("f" + e.feedback_id, e.answered_at)
        else:
            answered.setdefault("s" + e.suggestion_id, e.decided_at)
    out = []
    for kind in ("feedback", "suggestion"):
        items = [k for k, (kd, at) in sent.items() if kd == kind and start <= log.day(at) <= end]
        hours = [(answered[k] - sent[k][1]).total_seconds() / 3600 for k in items if k in answered]
        out.append((kind, len(items), len(hours), nearest(hours, .5), nearest(hours, .9)))
    return out


def utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
