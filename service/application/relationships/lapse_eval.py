"""Offline evaluation of lapse risk: rolling cut-offs on the library's own log, the recency
rule against a logistic regression, PR-AUC, top-decile lift and Brier score.

Each reader at each cut-off is one example (active readers only: a loan in the year before).
Predictions are cross-fitted by reader (5 folds, grouped, fixed): no reader's outcome is
predicted by a scorer fitted on that reader, the rule's bucket rates included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss
from sklearn.model_selection import GroupKFold

from service.application.relationships.lapse_features import (
    FEATURES,
    Example,
    features_at,
    is_active,
    lapsed_after,
)
from service.application.relationships.lapse_scoring import BUCKETS, DEFAULT_RATES, bucket

HORIZON_DAYS = 180


@dataclass(frozen=True)
class Scores:
    pr_auc: float
    lift_top_decile: float
    brier: float


@dataclass(frozen=True)
class Evaluation:
    cutoffs: list[date]
    examples: int
    base_rate: float
    rule: Scores
    model: Scores

    @property
    def model_wins(self) -> bool:
        """Ship the model only where it beats the rule on ranking and on calibration."""
        return (self.model.pr_auc > self.rule.pr_auc and self.model.brier < self.rule.brier
                and self.model.lift_top_decile >= self.rule.lift_top_decile)


def rolling_cutoffs(first: date, last: date, horizon_days: int = HORIZON_DAYS,
                    step_days: int = 30, history_days: int = 90) -> list[date]:
    """Cut-offs every ``step_days`` from ``history_days`` after the first loan to the last day
    whose outcome window the log covers."""
    out, day = [], first + timedelta(days=history_days)
    while day + timedelta(days=horizon_days) <= last:
        out.append(day)
        day += timedelta(days=step_days)
    return out


def build_examples(readers: Sequence[Mapping[str, Any]],
                   loans: Mapping[str, Sequence[Mapping[str, Any]]],
                   holds: Mapping[str, Sequence[Mapping[str, Any]]], cutoffs: Sequence[date],
                   horizon_days: int = HORIZON_DAYS) -> list[Example]:
    """One example per reader active at each cut-off, with its outcome."""
    out = []
    for cutoff in cutoffs:
        for reader in readers:
            mine = loans.get(reader["reader_id"], [])
            if reader["registered_on"] > cutoff or not is_active(mine, cutoff):
                continue
            out.append(Example(reader["reader_id"], cutoff,
                               features_at(reader, mine, holds.get(reader["reader_id"], []),
                                           cutoff),
                               lapsed_after(mine, cutoff, horizon_days)))
    return out


def _matrix(examples: Sequence[Example]) -> np.ndarray:
    return np.array([[e.features[f] for f in FEATURES] for e in examples], dtype=float)


def fit_rule_rates(examples: Sequence[Example]) -> list[float]:
    """The lapse rate in each recency bucket (smoothed towards the default rates)."""
    rates = []
    for i, prior in enumerate(DEFAULT_RATES):
        outcomes = [e.lapsed for e in examples if bucket(e.features["recency_days"]) == i]
        rates.append((sum(bool(x) for x in outcomes) + 2 * prior) / (len(outcomes) + 2))
    return rates


def fit_model(examples: Sequence[Example], seed: int = 0) -> dict[str, Any]:
    """A standardised logistic regression as plain JSON (what lapse_scoring serves)."""
    x = _matrix(examples)
    y = np.array([bool(e.lapsed) for e in examples])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    if len(set(y.tolist())) < 2:
        return {"rule_rates": fit_rule_rates(examples)}
    fitted = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    fitted.fit((x - mean) / scale, y)

    def r(v: Any) -> list[float]:
        return [round(float(a), 6) for a in v]

    return {"features": list(FEATURES), "mean": r(mean), "scale": r(scale),
            "coef": r(fitted.coef_[0]), "intercept": round(float(fitted.intercept_[0]), 6),
            "rule_rates": r(fit_rule_rates(examples))}


def _predict_model(model: Mapping[str, Any], examples: Sequence[Example]) -> np.ndarray:
    if not model.get("coef"):
        return np.full(len(examples), 0.5)
    x = (_matrix(examples) - np.array(model["mean"])) / np.array(model["scale"])
    z = x @ np.array(model["coef"]) + model["intercept"]
    p: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    return p


def _predict_rule(rates: Sequence[float], examples: Sequence[Example]) -> np.ndarray:
    return np.array([rates[bucket(e.features["recency_days"])] for e in examples])


def top_decile_lift(y: np.ndarray, p: np.ndarray, keys: Sequence[str]) -> float:
    """Lapse rate among the top tenth by score over the base rate (ties broken by key)."""
    order = sorted(range(len(y)), key=lambda i: (-p[i], keys[i]))
    top = order[:max(1, len(y) // 10)]
    base = float(y.mean())
    return float(y[top].mean()) / base if base else 0.0


def _scores(y: np.ndarray, p: np.ndarray, keys: Sequence[str]) -> Scores:
    return Scores(float(average_precision_score(y, p)), top_decile_lift(y, p, keys),
                  float(brier_score_loss(y, p)))


def evaluate(examples: Sequence[Example], folds: int = 5, seed: int = 0) -> Evaluation:
    """Cross-fitted (grouped by reader) scores of the rule and the model over all cut-offs."""
    if not examples:
        raise ValueError("no active readers at any cut-off: the log is too short")
    y = np.array([bool(e.lapsed) for e in examples])
    groups = [e.reader_id for e in examples]
    rule_p, model_p = np.zeros(len(examples)), np.zeros(len(examples))
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for train, test in splitter.split(np.zeros(len(examples)), y, groups):
        training = [examples[i] for i in train]
        testing = [examples[i] for i in test]
        rule_p[test] = _predict_rule(fit_rule_rates(training), testing)
        model_p[test] = _predict_model(fit_model(training, seed), testing)
    keys = [f"{e.cutoff.isoformat()}:{e.reader_id}" for e in examples]
    return Evaluation(sorted({e.cutoff for e in examples}), len(examples), float(y.mean()),
                      _scores(y, rule_p, keys), _scores(y, model_p, keys))


def table(result: Evaluation, horizon_days: int) -> list[str]:
    """The evaluation as lines of text (what `lector evaluate lapse` prints)."""
    cut = ", ".join(d.isoformat() for d in result.cutoffs)
    lines = [f"Lapse risk: no loan in the {horizon_days} days after each cut-off ({cut})",
             f"{result.examples} active reader-cut-offs, base rate {result.base_rate:.3f}; "
             "5-fold cross-fit grouped by reader",
             f"{'scorer':<22}{'PR-AUC':>8}{'lift@10%':>10}{'Brier':>8}"]
    for name, s in (("recency rule", result.rule), ("logistic regression", result.model)):
        lines.append(f"{name:<22}{s.pr_auc:>8.3f}{s.lift_top_decile:>10.2f}{s.brier:>8.3f}")
    served = "logistic regression" if result.model_wins else "recency rule"
    lines.append(f"served: {served} (the model is served only where it beats the rule on "
                 "PR-AUC, Brier and lift)")
    return lines


__all__ = ["BUCKETS", "HORIZON_DAYS", "Evaluation", "build_examples", "evaluate", "fit_model",
           "rolling_cutoffs", "table"]
