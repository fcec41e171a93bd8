"""A deliberately simple second implementation of the collection reports, straight from the
raw event log (a list of decoded events), to reconcile the projections against.

It shares no code with projections/collection*.py: plain dicts, loops and its own date
arithmetic, so a mistake in one is not silently repeated in the other."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from events.store import StoredEvent


class Log:
    """The facts the reports need, folded from the raw log in the simplest way."""

    def __init__(self, log: list[StoredEvent]) -> None:
        self.titles: dict[str, dict[str, Any]] = {}
        self.copies: dict[str, dict[str, Any]] = {}
        self.loans: dict[str, dict[str, Any]] = {}
        self.renewals: list[tuple[str, datetime]] = []
        self.holds: dict[str, dict[str, Any]] = {}
        for s in log:
            e, kind = s.event, s.type
            if kind == "title.catalogued":
                self.titles[e.title_id] = {"title": e.title, "year": e.year,
                                           "clc_class": e.clc_class, "classes": list(e.classes),
                                           "other_classes": e.other_classes}
            elif kind == "title.updated" and e.title_id in self.titles:
                for name in ("title", "year", "clc_class", "classes", "other_classes"):
                    if name in e.changes:
                        self.titles[e.title_id][name] = e.changes[name]
            elif kind == "copy.added":
                at = e.added_at or s.recorded_at
                self.copies[e.barcode] = {"title_id": e.title_id, "branch": e.branch,
                                          "item_type": e.item_type, "added": at,
                                          "moves": [(at, True)]}
            elif kind in ("copy.withdrawn", "copy.marked_lost"):
                at = getattr(e, "withdrawn_at", None) or getattr(e, "lost_at", None) \
                    or s.recorded_at
                self.copies[e.barcode]["moves"].append((at, False))
                if kind == "copy.marked_lost" and e.loan_id in self.loans:
                    self.loans[e.loan_id]["closed"] = self.loans[e.loan_id]["closed"] or at
            elif kind == "copy.found" and e.barcode in self.copies:
                self.copies[e.barcode]["moves"].append((e.found_at or s.recorded_at, True))
            elif kind == "loan.opened":
                self.loans[e.loan_id] = {"barcode": e.barcode, "opened": e.opened_at,
                                         "closed": None, "hold_id": e.hold_id}
            elif kind == "loan.closed":
                self.loans[e.loan_id]["closed"] = self.loans[e.loan_id]["closed"] or e.closed_at
            elif kind == "loan.renewed":
                self.renewals.append((e.barcode, e.renewed_at))
            elif kind == "hold.placed":
                self.holds[e.hold_id] = {"title_id": e.title_id, "branch": e.pickup_branch,
                                         "placed": e.placed_at, "ends": []}
            elif kind in ("hold.expired", "hold.cancelled", "hold.fulfilled"):
                at = getattr(e, "expired_at", None) or getattr(e, "cancelled_at", None) \
                    or s.recorded_at
                self.holds[e.hold_id]["ends"].append(at)
        for loan in self.loans.values():
            if loan["hold_id"] in self.holds:  # taken home: the hold ended with the checkout
                self.holds[loan["hold_id"]]["ends"].insert(0, loan["opened"])


def class_of(title: dict[str, Any] | None, scheme: str) -> str | None:
    if title is None:
        return "?" if scheme == "clc" else None
    by_scheme = {c["scheme"]: c["value"] for c in reversed(title["classes"] or [])}
    other = title["other_classes"] or {}
    if scheme == "clc":
        value = (title["clc_class"] or by_scheme.get("clc") or "").upper()
        if not re.match(r"[A-Z]", value):
            return "?"
        return value[:2] if re.match(r"T[A-Z]", value) else value[0]
    if scheme == "ddc":
        value = by_scheme.get("ddc") or other.get("ddc") or other.get("dewey") or ""
        return value[0] + "00" if re.match(r"[0-9]", value) else None
    value = (by_scheme.get("lcc") or other.get("lcc") or other.get("lc") or "").upper()
    found = re.match(r"[A-Z]{1,3}", value)
    return found.group(0) if found else None


class Ask:
    """One question to the log: the state at the end of ``as_of`` with filters."""

    def __init__(self, log: Log, as_of: date, zone: str, scheme: str = "clc",
                 branch: str | None = None, prefix: str | None = None,
                 item_type: str | None = None) -> None:
        self.log, self.as_of, self.zone, self.scheme = log, as_of, ZoneInfo(zone), scheme
        self.branch, self.prefix, self.item_type = branch, prefix, item_type
        self.end = self.midnight(as_of + timedelta(days=1))

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone).astimezone(UTC)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def class_ok(self, key: str | None) -> bool:
        return key is not None and (not self.prefix or key.startswith(self.prefix))

    def copy_ok(self, copy: dict[str, Any]) -> bool:
        return ((not self.branch or copy["branch"] == self.branch)
                and (not self.item_type or copy["item_type"] == self.item_type))

    def key(self, copy: dict[str, Any]) -> str | None:
        return class_of(self.log.titles.get(copy["title_id"]), self.scheme)

    def held(self) -> list[str]:
        out = []
        for barcode, copy in sorted(self.log.copies.items()):
            state = False
            for at, inside in copy["moves"]:
                if at < self.end:
                    state = inside
            if state and self.copy_ok(copy) and self.class_ok(self.key(copy)):
                out.append(barcode)
        return out

    def loans_of(self, barcode: str) -> list[dict[str, Any]]:
        return [v for v in self.log.loans.values() if v["barcode"] == barcode
                and v["opened"] < self.end]


def months_back(day: date, n: int) -> date:
    y, m = day.year, day.month - n
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    last = 31
    while True:
        try:
            return date(y, m, min(day.day, last))
        except ValueError:
            last -= 1


def div(a: float, b: float, digits: int) -> float | None:
    return round(a / b, digits) if b else None


def class_use(ask: Ask) -> dict[str, Any]:
    first = months_back(ask.as_of.replace(day=1), 11)
    months = [months_back(first, -k).strftime("%Y-%m") for k in range(12)]
    start = ask.midnight(first)
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def cell(key: str, branch: str) -> dict[str, Any]:
        return cells.setdefault((key, branch), {"h": 0, "ages": [], "circ": set(),
                                                "m": {m: 0 for m in months}})
    held = ask.held()
    for barcode in held:
        copy = ask.log.copies[barcode]
        c = cell(ask.key(copy), copy["branch"])  # type: ignore[arg-type]
        c["h"] += 1
        year = ask.log.titles.get(copy["title_id"], {}).get("year")
        if year is not None:
            c["ages"].append(ask.as_of.year - year)
    for loan in ask.log.loans.values():
        copy = ask.log.copies.get(loan["barcode"])
        if copy is None or not (start <= loan["opened"] < ask.end) or not ask.copy_ok(copy):
            continue
        key = ask.key(copy)
        if not ask.class_ok(key):
            continue
        c = cell(key, copy["branch"])  # type: ignore[arg-type]
        c["m"][ask.day(loan["opened"]).strftime("%Y-%m")] += 1
        if loan["barcode"] in held:
            c["circ"].add(loan["barcode"])
    th = sum(c["h"] for c in cells.values())
    tc = sum(sum(c["m"].values()) for c in cells.values())
    rows = []
    for (key, branch) in sorted(cells):
        c = cells[(key, branch)]
        n = sum(c["m"].values())
        rows.append({
            "class": key, "branch": branch, "holdings": c["h"], "circulations": n,
            "monthly": [c["m"][m] for m in months], "turnover": div(n, c["h"], 2),
            "circulated_copies": len(c["circ"]),
            "percent_circulated": div(100 * len(c["circ"]), c["h"], 1),
            "share_of_circulations": div(100 * n, tc, 2),
            "share_of_holdings": div(100 * c["h"], th, 2),
            "relative_use": div(n * th, c["h"] * tc, 2),
            "average_age": round(sum(c["ages"]) / len(c["ages"]), 1) if c["ages"] else None,
            "median_age": float(median(c["ages"])) if c["ages"] else None,
            "dated_copies": len(c["ages"]),
        })
    ages = [a for c in cells.values() for a in c["ages"]]
    circulated = sum(len(c["circ"]) for c in cells.values())
    totals = {"holdings": th, "circulations": tc,
              "monthly": [sum(c["m"][m] for c in cells.values()) for m in months],
              "turnover": div(tc, th, 2), "circulated_copies": circulated,
              "percent_circulated": div(100 * circulated, th, 1),
              "average_age": round(sum(ages) / len(ages), 1) if ages else None,
              "median_age": float(median(ages)) if ages else None}
    return {"as_of": ask.as_of, "scheme": ask.scheme, "months": months,
            "window": {"from": first, "to": ask.as_of}, "rows": rows, "totals": totals}


def copies(ask: Ask) -> list[dict[str, Any]]:
    rows = []
    for barcode in ask.held():
        copy = ask.log.copies[barcode]
        title = ask.log.titles.get(copy["title_id"], {})
        loans = ask.loans_of(barcode)
        on_loan = any(v["closed"] is None or v["closed"] >= ask.end for v in loans)
        returns = [v["closed"] for v in loans if v["closed"] is not None and v["closed"] < ask.end]
        added = ask.day(copy["added"])
        since = max([added] + [ask.day(r) for r in returns])
        rows.append({
            "barcode": barcode, "title_id": copy["title_id"], "title": title.get("title"),
            "class": ask.key(copy), "branch": copy["branch"], "item_type": copy["item_type"],
            "year": title.get("year"), "added_on": added, "circulations": len(loans),
            "renewals": len([1 for b, at in ask.log.renewals if b == barcode and at < ask.end]),
            "last_circulated_on": ask.day(max(v["opened"] for v in loans)) if loans else None,
            "on_loan": on_loan, "days_on_shelf": None if on_loan else (ask.as_of - since).days,
        })
    return rows


def titles(ask: Ask) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in copies(ask):
        t = out.setdefault(c["title_id"], {"title_id": c["title_id"], "title": c["title"],
                                           "class": c["class"], "year": c["year"], "copies": 0,
                                           "circulations": 0, "renewals": 0, "on_loan": 0,
                                           "last": []})
        t["copies"] += 1
        t["circulations"] += c["circulations"]
        t["renewals"] += c["renewals"]
        t["on_loan"] += c["on_loan"]
        if c["last_circulated_on"]:
            t["last"].append(c["last_circulated_on"])
    rows = []
    for t in out.values():
        last = t.pop("last")
        rows.append({**t, "last_circulated_on": max(last) if last else None,
                     "circulations_per_copy": round(t["circulations"] / t["copies"], 2)})
    return sorted(rows, key=lambda r: (-r["circulations"], r["title_id"]))


def dead_stock(ask: Ask, months: int) -> list[dict[str, Any]]:
    cutoff = months_back(ask.as_of, months)
    rows = []
    for c in copies(ask):
        recent = [v for v in ask.loans_of(c["barcode"]) if ask.day(v["opened"]) >= cutoff]
        if c["added_on"] <= cutoff and not recent:
            rows.append({**c, "reason": "idle" if c["circulations"] else "never",
                         "last_used_on": c["last_circulated_on"] or c["added_on"],
                         "months": months, "cutoff": cutoff})
    return sorted(rows, key=lambda r: (r["last_used_on"], r["barcode"]))


def weeding(ask: Ask, rules: dict[str, tuple[int | None, int]]) -> list[dict[str, Any]]:
    rows = []
    for c in copies(ask):
        x, y = rules.get(c["class"]) or rules.get(c["class"][0]) or rules["default"]
        age = None if c["year"] is None else ask.as_of.year - c["year"]
        last = c["last_circulated_on"] or c["added_on"]
        old_enough = x is None or (age is not None and age > x)
        if old_enough and last < months_back(ask.as_of, 12 * y):
            rows.append({**c, "age_years": age, "last_used_on": last,
                         "idle_days": (ask.as_of - last).days, "rule_age_years": x,
                         "rule_idle_years": y})
    return sorted(rows, key=lambda r: (r["class"], r["last_used_on"], r["barcode"]))


def holds_pressure(ask: Ask, ratios: dict[str, int], default: int) -> list[dict[str, Any]]:
    active: dict[str, int] = {}
    for h in ask.log.holds.values():
        ended = h["ends"][0] if h["ends"] else None
        if h["placed"] < ask.end and (ended is None or ended >= ask.end) \
                and (not ask.branch or h["branch"] == ask.branch):
            active[h["title_id"]] = active.get(h["title_id"], 0) + 1
    unfiltered = Ask(ask.log, ask.as_of, str(ask.zone), ask.scheme, ask.branch, None,
                     ask.item_type)
    held = unfiltered.held()
    rows = []
    for title_id, n in active.items():
        title = ask.log.titles.get(title_id)
        key = class_of(title, ask.scheme)
        if not ask.class_ok(key):
            continue
        types: dict[str, int] = {}
        for b in held:
            if ask.log.copies[b]["title_id"] == title_id:
                t = ask.log.copies[b]["item_type"]
                types[t] = types.get(t, 0) + 1
        best = sorted(types, key=lambda t: (-types[t], t))
        item_type = best[0] if best else None
        if ask.item_type and item_type != ask.item_type:
            continue
        count = sum(types.values())
        r = ratios.get(item_type or "", default)
        rows.append({"title_id": title_id, "title": (title or {}).get("title", ""),
                     "class": key, "year": (title or {}).get("year"), "item_type": item_type,
                     "active_holds": n, "holdable_copies": count,
                     "holds_ratio": round(n / count, 2) if count else None,
                     "holds_per_copy_target": r,
                     "copies_needed": max(0, math.ceil(n / r) - count)})
    return sorted(rows, key=lambda r: (r["holds_ratio"] is not None, -(r["holds_ratio"] or 0),
                                       -r["active_holds"], r["title_id"]))
