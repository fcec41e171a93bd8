"""Serving lapse risk: the recency rule or the chosen logistic model, with the top reasons.

Pure functions over a feature dict and the chosen scorer's JSON (projections/lapse_model.py);
no scikit-learn here: a fitted logistic regression is a dot product.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Recency buckets (days since the last loan, upper bounds) and the rule's lapse rate in each
# before any evaluation measured them on this library's log.
BUCKETS = (30, 60, 90, 180, 365)
DEFAULT_RATES = (0.10, 0.20, 0.35, 0.55, 0.80, 0.95)

REASONS: dict[str, tuple[str, str, str, str]] = {
    # feature: (en when it raises the risk, zh, en when it lowers it, zh)
    "recency_days": ("No loan for {recency_days:.0f} days", "已 {recency_days:.0f} 天没有借阅",
                     "Borrowed {recency_days:.0f} days ago", "{recency_days:.0f} 天前刚借过"),
    "loans_30": ("No loans in the last 30 days", "近 30 天没有借阅",
                 "{loans_30:.0f} loans in the last 30 days", "近 30 天借了 {loans_30:.0f} 次"),
    "loans_90": ("Few loans in the last 90 days ({loans_90:.0f})",
                 "近 90 天借阅很少（{loans_90:.0f} 次）",
                 "{loans_90:.0f} loans in the last 90 days", "近 90 天借了 {loans_90:.0f} 次"),
    "loans_365": ("Few loans this year ({loans_365:.0f})", "一年内借阅很少（{loans_365:.0f} 次）",
                  "{loans_365:.0f} loans this year", "一年内借了 {loans_365:.0f} 次"),
    "trend": ("Borrowing less than before", "借阅比以前少",
              "Borrowing more than before", "借阅比以前多"),
    "tenure_days": ("A new card ({tenure_days:.0f} days)", "办证不久（{tenure_days:.0f} 天）",
                    "A reader for {tenure_days:.0f} days", "已是 {tenure_days:.0f} 天的老读者"),
    "mean_gap_days": ("Long gaps between visits ({mean_gap_days:.0f} days)",
                      "两次借阅间隔长（{mean_gap_days:.0f} 天）",
                      "Short gaps between visits ({mean_gap_days:.0f} days)",
                      "借阅间隔短（{mean_gap_days:.0f} 天）"),
    "renew_share": ("Rarely renews", "很少续借", "Often renews", "经常续借"),
    "holds_365": ("No reservations this year", "一年内没有预约",
                  "{holds_365:.0f} reservations this year", "一年内预约 {holds_365:.0f} 次"),
    "overdue_365": ("{overdue_365:.0f} overdue loans this year",
                    "一年内逾期 {overdue_365:.0f} 次", "Returns on time", "按时归还"),
    "open_loans": ("No books out now", "目前没有在借图书",
                   "{open_loans:.0f} books out now", "目前在借 {open_loans:.0f} 册"),
    "classes_365": ("Reads in few classes", "阅读类别少",
                    "Reads across {classes_365:.0f} classes", "阅读跨 {classes_365:.0f} 个类别"),
    "history_off": ("Keeps no reading history", "未保留借阅历史",
                    "Keeps a reading history", "保留借阅历史"),
}


@dataclass(frozen=True)
class Reason:
    feature: str
    raises: bool
    en: str
    zh: str


@dataclass(frozen=True)
class LapseRisk:
    probability: float
    served: str  # 'model' | 'rule'
    reasons: list[Reason] = field(default_factory=list)


def bucket(recency_days: float) -> int:
    """The recency bucket (0..5) of a number of days since the last loan."""
    return next((i for i, b in enumerate(BUCKETS) if recency_days <= b), len(BUCKETS))


def rule_probability(features: Mapping[str, float], rates: Sequence[float] = DEFAULT_RATES
                     ) -> float:
    """The recency rule: the lapse rate of the reader's recency bucket."""
    return float(rates[bucket(features["recency_days"])])


def model_probability(features: Mapping[str, float], model: Mapping[str, Any]
                      ) -> tuple[float, dict[str, float]]:
    """The logistic model's probability and each feature's contribution to its log-odds."""
    contributions = {}
    for name, mean, scale, coef in zip(model["features"], model["mean"], model["scale"],
                                       model["coef"], strict=True):
        contributions[name] = coef * (features[name] - mean) / (scale or 1.0)
    z = model["intercept"] + sum(contributions.values())
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z)))), contributions


def _reason(feature: str, raises: bool, features: Mapping[str, float]) -> Reason | None:
    texts = REASONS.get(feature)
    if texts is None:
        return None
    en, zh = (texts[0], texts[1]) if raises else (texts[2], texts[3])
    return Reason(feature, raises, en.format(**features), zh.format(**features))


def score(features: Mapping[str, float], chosen: Mapping[str, Any] | None, top: int = 3
          ) -> LapseRisk:
    """Lapse risk as the library serves it now: the model if it was chosen, else the rule."""
    model = (chosen or {}).get("model") or {}
    rates = model.get("rule_rates") or DEFAULT_RATES
    if chosen and chosen.get("served") == "model" and model.get("coef"):
        p, contributions = model_probability(features, model)
        ranked = sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
        reasons = [r for name, c in ranked[:top] if abs(c) > 1e-9
                   and (r := _reason(name, c > 0, features)) is not None]
        return LapseRisk(round(p, 4), "model", reasons)
    p = rule_probability(features, rates)
    reason = _reason("recency_days", p >= 0.5, features)
    return LapseRisk(round(p, 4), "rule", [reason] if reason else [])
