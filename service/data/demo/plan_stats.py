"""Statistics of a demo plan: monthly rhythm, popularity skew, renewals, late returns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from service.data.demo.actions import (
    CancelHold,
    CheckIn,
    CheckOut,
    PayFine,
    PlaceHold,
    PlannedAction,
    Renew,
    SubmitFeedback,
    SuggestPurchase,
)
from service.data.demo.calendar_cn import local_date
from service.data.demo.catalogue_gen import Catalogue
from service.data.demo.plan_policy import DEMO_POLICY, DemoPolicy
from service.data.demo.zipf import (
    coefficient_of_variation,
    fit_zipf_exponent,
    peak_trough_ratio,
    top_share,
)


@dataclass(frozen=True)
class PlanStats:
    """What a plan amounts to; rhythm figures use only calendar months the plan fully covers."""

    monthly_checkouts: dict[str, int]  # 'YYYY-MM' (Shanghai) -> checkouts, every month touched
    full_months: tuple[str, ...]
    checkouts: int
    checkins: int
    renewals: int
    late_returns: int
    holds_placed: int
    holds_cancelled: int
    fines_paid_fen: int
    feedback: int
    suggestions: int
    renewal_share: float  # renewals / checkouts
    late_return_share: float  # returns after the due date / returns
    monthly_cv: float
    peak_trough: float
    top1_share: float  # share of checkouts taken by the top 1 % of the catalogue's titles
    top10_share: float
    head_zipf_exponent: float  # fitted on the top 10 % of titles, as on Toulouse's top 500


def _full_months(first: date, last: date) -> tuple[str, ...]:
    months: list[str] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        if cursor >= first and following - timedelta(days=1) <= last:
            months.append(f"{cursor:%Y-%m}")
        cursor = following
    return tuple(months)


def plan_statistics(
    actions: Iterable[PlannedAction],
    catalogue: Catalogue,
    start: date | None = None,
    days: int | None = None,
    policy: DemoPolicy = DEMO_POLICY,
) -> PlanStats:
    """Summarise a plan; without start/days the span runs from the first to the last action."""
    title_of = catalogue.title_of()
    per_title: Counter[str] = Counter()
    monthly: Counter[str] = Counter()
    kinds: Counter[type] = Counter()
    due: dict[str, date] = {}
    late = fines = 0
    first = last = None
    for action in actions:
        kinds[type(action)] += 1
        day = local_date(action.at)
        first = first or day
        last = day
        if isinstance(action, CheckOut):
            per_title[title_of[action.barcode]] += 1
            monthly[f"{day:%Y-%m}"] += 1
            due[action.barcode] = policy.due_date(day)
        elif isinstance(action, Renew):
            due[action.barcode] = policy.renewed_due_date(due[action.barcode], day)
        elif isinstance(action, CheckIn):
            late += day > due.pop(action.barcode)
        elif isinstance(action, PayFine):
            fines += action.amount_fen
    if start is not None and days is not None:
        first, last = start, start + timedelta(days=days - 1)
    full = _full_months(first, last) if first and last else ()
    rhythm = [monthly[m] for m in full]
    counts = list(per_title.values())
    n_titles = len(catalogue.titles)
    checkouts, checkins = kinds[CheckOut], kinds[CheckIn]
    head = sorted(counts, reverse=True)[: max(3, n_titles // 10)]
    return PlanStats(
        monthly_checkouts=dict(sorted(monthly.items())),
        full_months=full,
        checkouts=checkouts,
        checkins=checkins,
        renewals=kinds[Renew],
        late_returns=late,
        holds_placed=kinds[PlaceHold],
        holds_cancelled=kinds[CancelHold],
        fines_paid_fen=fines,
        feedback=kinds[SubmitFeedback],
        suggestions=kinds[SuggestPurchase],
        renewal_share=kinds[Renew] / checkouts if checkouts else 0.0,
        late_return_share=late / checkins if checkins else 0.0,
        monthly_cv=coefficient_of_variation(rhythm) if len(rhythm) >= 2 else 0.0,
        peak_trough=peak_trough_ratio(rhythm) if len(rhythm) >= 2 and min(rhythm) else 0.0,
        top1_share=top_share(counts, n_titles, 0.01),
        top10_share=top_share(counts, n_titles, 0.10),
        head_zipf_exponent=fit_zipf_exponent(head) if len(head) >= 3 else 0.0,
    )
