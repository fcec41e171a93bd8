"""Lapse-risk features of one reader frozen at a cut-off date: pure functions of the rows.

Only what was known at the end of the cut-off day counts: loans opened, renewed and closed
on or before it, holds placed on or before it. A loan's later renewal or return is not
known yet at the cut-off, so it is read as still out (docs/readers.md, "Lapse risk").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

CATEGORIES = ("adult", "student", "child", "senior")
FEATURES = (
    "recency_days", "loans_30", "loans_90", "loans_365", "trend", "tenure_days",
    "mean_gap_days", "renew_share", "holds_365", "overdue_365", "open_loans", "classes_365",
    "history_off", *(f"category_{c}" for c in CATEGORIES),
)


@dataclass(frozen=True)
class Example:
    """One reader at one cut-off: features, and (for evaluation) whether they lapsed."""

    reader_id: str
    cutoff: date
    features: dict[str, float]
    lapsed: bool | None = None


def _main(clc: str | None) -> str | None:
    return clc.strip()[:1].upper() if clc and clc.strip() else None


def features_at(reader: Mapping[str, Any], loans: Iterable[Mapping[str, Any]],
                holds: Iterable[Mapping[str, Any]], cutoff: date) -> dict[str, float]:
    """The feature vector of ``reader`` at the end of ``cutoff`` (rows after it are ignored)."""
    known = [x for x in loans if x["opened_on"] <= cutoff]
    year = [x for x in known if x["opened_on"] > cutoff - timedelta(days=365)]
    days = sorted({x["opened_on"] for x in year})
    tenure = max(0, (cutoff - reader["registered_on"]).days)

    def within(n: int) -> int:
        return sum(1 for x in known if x["opened_on"] > cutoff - timedelta(days=n))

    def closed_by(x: Mapping[str, Any]) -> bool:
        return x["closed_on"] is not None and x["closed_on"] <= cutoff

    def renewed_by(x: Mapping[str, Any]) -> bool:
        return x["first_renewed_on"] is not None and x["first_renewed_on"] <= cutoff

    overdue = 0
    for x in year:
        if closed_by(x):
            overdue += x["closed_on"] > x["due_on"]
        elif x["first_renewed_on"] is None or renewed_by(x):
            overdue += x["due_on"] < cutoff  # out at the cut-off, past the due date known then
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    loans_90, loans_365 = within(90), len(year)
    keeps = bool(reader.get("keep_history", True))
    out: dict[str, float] = {
        "recency_days": float((cutoff - max(days)).days if days else min(tenure, 365) + 1),
        "loans_30": float(within(30)), "loans_90": float(loans_90),
        "loans_365": float(loans_365),
        # the last quarter against the mean of the three before it
        "trend": loans_90 - (loans_365 - loans_90) / 3.0,
        "tenure_days": float(tenure),
        "mean_gap_days": sum(gaps) / len(gaps) if gaps else 365.0,
        "renew_share": (sum(1 for x in year if renewed_by(x)) / loans_365) if year else 0.0,
        "holds_365": float(sum(1 for h in holds if cutoff - timedelta(days=365)
                               < h["placed_on"] <= cutoff)),
        "overdue_365": float(overdue),
        "open_loans": float(sum(1 for x in known if not closed_by(x))),
        # a reader without history is never profiled from their titles
        "classes_365": float(len({c for x in year if (c := _main(x["clc_class"]))}))
        if keeps else 0.0,
        "history_off": 0.0 if keeps else 1.0,
    }
    for c in CATEGORIES:
        out[f"category_{c}"] = 1.0 if reader.get("category") == c else 0.0
    return out


def is_active(loans: Iterable[Mapping[str, Any]], cutoff: date) -> bool:
    """Active at the cut-off: borrowed at least once in the year before it."""
    return any(cutoff - timedelta(days=365) < x["opened_on"] <= cutoff for x in loans)


def lapsed_after(loans: Iterable[Mapping[str, Any]], cutoff: date, horizon_days: int) -> bool:
    """The outcome: no loan opened in the ``horizon_days`` after the cut-off."""
    end = cutoff + timedelta(days=horizon_days)
    return not any(cutoff < x["opened_on"] <= end for x in loans)
