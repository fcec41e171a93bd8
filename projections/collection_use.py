"""Report: use of the collection per class x branch over a rolling twelve months."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from sqlalchemy import Connection, select

from projections.collection import coll_copies, coll_loans, coll_titles, utc
from projections.collection_scope import Scope, held_copies, months_before

WINDOW_MONTHS = 12


def window_months(scope: Scope) -> list[str]:
    """The twelve calendar months ending with the month of ``as_of`` ('YYYY-MM', oldest first)."""
    first = months_before(scope.as_of.replace(day=1), WINDOW_MONTHS - 1)
    return [months_before(first, -n).strftime("%Y-%m") for n in range(WINDOW_MONTHS)]


def _ratio(numerator: float, denominator: float, digits: int) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def report_class_use(conn: Connection, scope: Scope) -> dict[str, Any]:
    """Holdings, checkouts per month, turnover, share circulated, relative use and stock age
    per class x branch; rows sorted by class then branch, with the totals of all rows."""
    months = window_months(scope)
    start = scope.start_of(months_before(scope.as_of.replace(day=1), WINDOW_MONTHS - 1))
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"holdings": 0, "circulated": set(), "ages": [],
                 "monthly": dict.fromkeys(months, 0)})
    held = held_copies(conn, scope)
    for copy in held:
        cell = cells[(copy["class"], copy["branch"])]
        cell["holdings"] += 1
        if copy["year"] is not None:
            cell["ages"].append(scope.as_of.year - copy["year"])
    held_barcodes = {c["barcode"] for c in held}
    query = (select(coll_loans.c.barcode, coll_loans.c.opened_at, coll_copies.c.branch,
                    coll_copies.c.item_type, coll_titles.c[scope.scheme])
             .join(coll_copies, coll_copies.c.barcode == coll_loans.c.barcode)
             .join(coll_titles, coll_titles.c.title_id == coll_copies.c.title_id, isouter=True)
             .where(coll_loans.c.opened_at >= start, coll_loans.c.opened_at < scope.end))
    if scope.branch:
        query = query.where(coll_copies.c.branch == scope.branch)
    if scope.item_type:
        query = query.where(coll_copies.c.item_type == scope.item_type)
    for barcode, opened_at, branch, _type, key in conn.execute(query):
        key = key if key is not None or scope.scheme != "clc" else "?"
        if not scope.class_matches(key):
            continue
        cell = cells[(key, branch)]
        cell["monthly"][scope.local_day(utc(opened_at)).strftime("%Y-%m")] += 1  # type: ignore[arg-type]
        if barcode in held_barcodes:
            cell["circulated"].add(barcode)
    return _shape(scope, months, start, cells)


def _shape(scope: Scope, months: list[str], start: Any,
           cells: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    total_holdings = sum(c["holdings"] for c in cells.values())
    total_circs = sum(sum(c["monthly"].values()) for c in cells.values())
    rows = []
    for (key, branch), cell in sorted(cells.items()):
        circs, holdings, ages = sum(cell["monthly"].values()), cell["holdings"], cell["ages"]
        rows.append({
            "class": key, "branch": branch, "holdings": holdings, "circulations": circs,
            "monthly": [cell["monthly"][m] for m in months],
            "turnover": _ratio(circs, holdings, 2),
            "circulated_copies": len(cell["circulated"]),
            "percent_circulated": _ratio(100 * len(cell["circulated"]), holdings, 1),
            "share_of_circulations": _ratio(100 * circs, total_circs, 2),
            "share_of_holdings": _ratio(100 * holdings, total_holdings, 2),
            "relative_use": _ratio(circs * total_holdings, holdings * total_circs, 2),
            "average_age": round(sum(ages) / len(ages), 1) if ages else None,
            "median_age": float(median(ages)) if ages else None,
            "dated_copies": len(ages),
        })
    all_ages = [a for c in cells.values() for a in c["ages"]]
    circulated = sum(len(c["circulated"]) for c in cells.values())
    totals = {
        "holdings": total_holdings, "circulations": total_circs,
        "monthly": [sum(c["monthly"][m] for c in cells.values()) for m in months],
        "turnover": _ratio(total_circs, total_holdings, 2), "circulated_copies": circulated,
        "percent_circulated": _ratio(100 * circulated, total_holdings, 1),
        "average_age": round(sum(all_ages) / len(all_ages), 1) if all_ages else None,
        "median_age": float(median(all_ages)) if all_ages else None,
    }
    window = {"from": scope.local_day(start), "to": scope.as_of}
    return {"as_of": scope.as_of, "scheme": scope.scheme, "months": months, "window": window,
            "rows": rows, "totals": totals}
