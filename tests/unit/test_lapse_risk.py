"""Lapse-risk features are frozen at the cut-off; the rule and the model are scored offline."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from service.application.relationships.lapse_eval import (
    build_examples,
    evaluate,
    fit_model,
    rolling_cutoffs,
    table,
)
from service.application.relationships.lapse_features import features_at, is_active, lapsed_after
from service.application.relationships.lapse_scoring import score

CUTOFF = date(2025, 6, 30)
READER = {"reader_id": "r1", "registered_on": date(2024, 1, 1), "category": "adult",
          "keep_history": True}


def loan(opened: date, due: date, closed: date | None = None, renewed: date | None = None,
         clc: str | None = "I247") -> dict[str, Any]:
    return {"opened_on": opened, "due_on": due, "closed_on": closed,
            "first_renewed_on": renewed, "clc_class": clc}


def test_nothing_after_the_cut_off_changes_the_features() -> None:
    known = [loan(date(2025, 5, 1), date(2025, 5, 31), date(2025, 5, 20)),
             loan(date(2025, 6, 20), date(2025, 7, 20))]
    later = [loan(date(2025, 5, 1), date(2025, 5, 31), date(2025, 5, 20)),
             # the same loan, renewed and returned late after the cut-off
             loan(date(2025, 6, 20), date(2025, 8, 20), date(2025, 9, 1), date(2025, 7, 15)),
             loan(date(2025, 7, 2), date(2025, 8, 1), clc="TP311")]  # opened after it
    holds_then = [{"placed_on": date(2025, 6, 1)}]
    holds_later = [*holds_then, {"placed_on": date(2025, 7, 1)}]
    then = features_at(READER, known, holds_then, CUTOFF)
    assert features_at(READER, later, holds_later, CUTOFF) == then
    assert then["recency_days"] == 10 and then["loans_30"] == 1 and then["open_loans"] == 1
    assert then["renew_share"] == 0 and then["holds_365"] == 1 and then["classes_365"] == 1


def test_a_reader_without_history_has_no_class_features() -> None:
    private = {**READER, "keep_history": False}
    got = features_at(private, [loan(date(2025, 6, 1), date(2025, 7, 1))], [], CUTOFF)
    assert got["classes_365"] == 0 and got["history_off"] == 1


def test_the_outcome_is_no_loan_in_the_horizon_after_the_cut_off() -> None:
    loans = [loan(date(2025, 6, 1), date(2025, 7, 1)), loan(date(2025, 12, 1), date(2026, 1, 1))]
    assert is_active(loans, CUTOFF)
    assert lapsed_after(loans, CUTOFF, 180) is False
    assert lapsed_after(loans, CUTOFF, 90) is True


def test_the_rule_is_served_until_a_model_wins_and_says_why() -> None:
    features = features_at(READER, [loan(date(2025, 1, 5), date(2025, 2, 5))], [], CUTOFF)
    risk = score(features, None)
    assert risk.served == "rule" and risk.probability == 0.55  # 91..180 days
    assert risk.reasons[0].en == "No loan for 176 days" and risk.reasons[0].zh


def synthetic_log(seed: int, n: int = 120) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Readers borrowing at their own rate; some stop, and slow down for months first."""
    rng = random.Random(seed)
    readers, loans = [], {}
    start = date(2024, 1, 1)
    for i in range(n):
        rid = f"r{i:03d}"
        readers.append({"reader_id": rid, "registered_on": start, "keep_history": True,
                        "category": rng.choice(["adult", "student"])})
        rate, stop = rng.choice((0.02, 0.05, 0.1)), rng.randrange(100, 800)
        mine = []
        for d in range(730):
            fading = 0.3 if stop - 90 < d < stop else 1.0
            if d < stop and rng.random() < rate * fading:
                day = start + timedelta(days=d)
                mine.append(loan(day, day + timedelta(days=30), day + timedelta(days=14),
                                 clc=rng.choice("IKTOGH")))
        loans[rid] = mine
    return readers, loans


def test_the_evaluation_prints_both_scorers_on_a_fixed_workload() -> None:
    readers, loans = synthetic_log(seed=3)
    cutoffs = rolling_cutoffs(date(2024, 1, 1), date(2025, 12, 31), 180, step_days=60)
    examples = build_examples(readers, loans, {}, cutoffs, 180)
    result = evaluate(examples)
    assert result == evaluate(examples)  # deterministic
    assert 0 < result.base_rate < 1 and result.examples == len(examples)
    assert result.rule.pr_auc > result.base_rate  # recency tells something
    lines = table(result, 180)
    assert lines[2].split() == ["scorer", "PR-AUC", "lift@10%", "Brier"]
    assert lines[3].startswith("recency rule") and lines[4].startswith("logistic regression")
    served = "logistic regression" if result.model_wins else "recency rule"
    assert lines[5].startswith(f"served: {served}")
    model = fit_model(examples)
    assert len(model["coef"]) == len(model["features"]) == len(model["mean"])
    chosen = {"served": "model", "model": model}
    risk = score(examples[0].features, chosen)
    assert risk.served == "model" and 0 < risk.probability < 1 and risk.reasons
