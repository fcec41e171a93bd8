"""Reports: each copy's and title's use, dead stock and weeding candidates (CREW-style)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection

from projections.collection_scope import Scope, held_copies, loan_stats, months_before, stats_for

# (X, Y): weed when published more than X years ago (None: any age) and unused for more than
# Y years. Keys are report classes ('TP', 'I', '800', 'QA'); a class without its own rule
# uses its first letter's, then "default".
WeedingRules = Mapping[str, tuple[int | None, int]]


def report_copies(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """Every copy in the holdings on ``as_of``: lifetime checkouts and renewals, the last
    checkout, and days on the shelf since it last came back (None while on loan)."""
    stats = loan_stats(conn, scope)
    rows = []
    for copy in held_copies(conn, scope):
        s = stats_for(stats, copy["barcode"])
        added = scope.local_day(copy["added_at"])
        back = scope.local_day(s["last_returned"]) if s["last_returned"] else None
        shelf_since = max(added, back) if back else added
        rows.append({
            "barcode": copy["barcode"], "title_id": copy["title_id"], "title": copy["title"],
            "class": copy["class"], "branch": copy["branch"], "item_type": copy["item_type"],
            "year": copy["year"], "added_on": added, "circulations": s["circulations"],
            "renewals": s["renewals"],
            "last_circulated_on": scope.local_day(s["last_circulated"])
            if s["last_circulated"] else None,
            "on_loan": s["on_loan"],
            "days_on_shelf": None if s["on_loan"] else (scope.as_of - shelf_since).days,
        })
    return rows


def report_titles(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """Per title, over its copies in the holdings on ``as_of``: copies, checkouts, renewals,
    the last checkout; most circulated first."""
    titles: dict[str, dict[str, Any]] = {}
    for copy in report_copies(conn, scope):
        t = titles.setdefault(copy["title_id"], {
            "title_id": copy["title_id"], "title": copy["title"], "class": copy["class"],
            "year": copy["year"], "copies": 0, "circulations": 0, "renewals": 0,
            "on_loan": 0, "last_circulated_on": None})
        t["copies"] += 1
        t["circulations"] += copy["circulations"]
        t["renewals"] += copy["renewals"]
        t["on_loan"] += copy["on_loan"]
        last = copy["last_circulated_on"]
        if last and (t["last_circulated_on"] is None or last > t["last_circulated_on"]):
            t["last_circulated_on"] = last
    for t in titles.values():
        t["circulations_per_copy"] = round(t["circulations"] / t["copies"], 2)
    return sorted(titles.values(), key=lambda t: (-t["circulations"], t["title_id"]))


def dead_stock_cutoff(scope: Scope, months: int) -> date:
    return months_before(scope.as_of, months)


def report_dead_stock(conn: Connection, scope: Scope, months: int) -> list[dict[str, Any]]:
    """Copies in the holdings on ``as_of``, added at least ``months`` months before it, with
    no checkout in those months ('idle') or none ever ('never'); longest unused first."""
    cutoff = dead_stock_cutoff(scope, months)
    rows = []
    for copy in report_copies(conn, scope):
        # A checkout on the cutoff day or later (local time) is a recent one.
        last = copy["last_circulated_on"]
        if copy["added_on"] > cutoff or (last is not None and last >= cutoff):
            continue
        last_use = copy["last_circulated_on"] or copy["added_on"]
        rows.append({**copy, "reason": "idle" if copy["circulations"] else "never",
                     "last_used_on": last_use, "months": months, "cutoff": cutoff})
    return sorted(rows, key=lambda r: (r["last_used_on"], r["barcode"]))


def weeding_rule(rules: WeedingRules, key: str) -> tuple[int | None, int]:
    """The (X, Y) for a report class: its own, else its first letter's, else the default."""
    return rules.get(key) or rules.get(key[:1]) or rules["default"]


def report_weeding(conn: Connection, scope: Scope, rules: WeedingRules) -> list[dict[str, Any]]:
    """Weeding candidates: copies in the holdings whose title was published more than X years
    before ``as_of`` and that were not checked out (or, never lent, not added) for more than
    Y years, X and Y by class. Proposals only: staff decide."""
    rows = []
    for copy in report_copies(conn, scope):
        max_age, max_idle = weeding_rule(rules, copy["class"])
        age = scope.as_of.year - copy["year"] if copy["year"] is not None else None
        if max_age is not None and (age is None or age <= max_age):
            continue
        last_use = copy["last_circulated_on"] or copy["added_on"]
        if last_use >= months_before(scope.as_of, 12 * max_idle):
            continue
        rows.append({**copy, "age_years": age, "last_used_on": last_use,
                     "idle_days": (scope.as_of - last_use).days,
                     "rule_age_years": max_age, "rule_idle_years": max_idle})
    return sorted(rows, key=lambda r: (r["class"], r["last_used_on"], r["barcode"]))
