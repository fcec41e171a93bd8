"""Lapse risk on the library's own log: load the read model, evaluate, choose what to serve."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from events.insights import LapseModelChosen
from events.store import LoadedStreams, PendingEvent
from events.streams import LAPSE_MODEL_STREAM
from projections.lapse_model import current_lapse_model
from projections.reader_segment_queries import (
    all_reader_facts,
    holds_until,
    loans_until,
    reader_facts,
)
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.relationships.lapse_features import features_at, is_active
from service.application.relationships.lapse_scoring import LapseRisk, score

LAPSE_STREAM = LAPSE_MODEL_STREAM


def load_rows(conn: Connection) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]],
                                         dict[str, list[dict[str, Any]]]]:
    """Readers, and their loans and holds by reader, as the read model holds them."""
    loans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    holds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in loans_until(conn, date.max):
        loans[row["reader_id"]].append(row)
    for row in holds_until(conn, date.max):
        holds[row["reader_id"]].append(row)
    return all_reader_facts(conn), dict(loans), dict(holds)


def evaluate_library(engine: Engine, horizon_days: int, step_days: int = 30) -> Any:
    """(Evaluation, examples) over rolling cut-offs of the whole log."""
    from service.application.relationships import lapse_eval

    with engine.connect() as conn:
        readers, loans, holds = load_rows(conn)
    days = [x["opened_on"] for rows in loans.values() for x in rows]
    if not days:
        raise ValueError("the library has no loans yet")
    cutoffs = lapse_eval.rolling_cutoffs(min(days), max(days), horizon_days, step_days)
    examples = lapse_eval.build_examples(readers, loans, holds, cutoffs, horizon_days)
    return lapse_eval.evaluate(examples), examples


def choose_lapse_model(ports: Ports, actor: Actor, horizon_days: int) -> Outcome:
    """Evaluate on the log and record what is served: the model only if it beats the rule."""
    from service.application.relationships import lapse_eval

    result, examples = evaluate_library(ports.engine, horizon_days)
    served = "model" if result.model_wins else "rule"
    model = lapse_eval.fit_model(examples)
    metrics: dict[str, Any] = {
        name: {"pr_auc": round(s.pr_auc, 6), "lift_top_decile": round(s.lift_top_decile, 6),
               "brier": round(s.brier, 6)}
        for name, s in (("rule", result.rule), ("model", result.model))}
    metrics["examples"] = result.examples
    metrics["cutoffs"] = [d.isoformat() for d in result.cutoffs]
    event = LapseModelChosen(served=served, horizon_days=horizon_days, model=model,
                             metrics=metrics, chosen_at=ports.clock())

    def decide(loaded: LoadedStreams) -> Decision:
        return Decision([PendingEvent(event, (LAPSE_STREAM,))], {"served": served})

    return execute(ports, actor, "choose_lapse_model", [LAPSE_STREAM], decide)


def reader_lapse_risk(conn: Connection, reader_id: str, today: date) -> dict[str, Any] | None:
    """One reader's lapse risk as served now (None when the reader is not active)."""
    reader = reader_facts(conn, reader_id)
    if reader is None:
        return None
    loans = loans_until(conn, today, reader_id)
    chosen = current_lapse_model(conn)
    horizon = chosen["horizon_days"] if chosen else 180
    if not is_active(loans, today):
        return {"active": False, "probability": None, "served": chosen["served"] if chosen
                else "rule", "horizon_days": horizon, "reasons": []}
    risk: LapseRisk = score(features_at(reader, loans, holds_until(conn, today, reader_id),
                                        today), chosen)
    return {"active": True, "probability": risk.probability, "served": risk.served,
            "horizon_days": horizon,
            "reasons": [{"feature": r.feature, "raises_risk": r.raises, "message_en": r.en,
                         "message_zh": r.zh} for r in risk.reasons]}
