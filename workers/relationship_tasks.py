"""The nightly refresh of reader segments, of the lapse-risk scorer served and of the
item-kNN recommendations."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from celery import shared_task

from service.application import commands as c
from service.application.context import SYSTEM, Actor
from service.application.handlers import handle
from service.application.relationships.segments import WINDOW_DAYS
from workers.celery_app import LectorTask

log = logging.getLogger(__name__)
WORKER = Actor(SYSTEM, "worker")


@shared_task(bind=True, base=LectorTask, name="relationships.refresh", acks_late=True,
             ignore_result=True)
def refresh(self: LectorTask, as_of: str | None = None, window_days: int = WINDOW_DAYS,
            horizon_days: int = 180) -> dict[str, Any]:
    """Segment every reader as of ``as_of`` (default yesterday), then re-evaluate lapse risk
    and record what is served. Running twice for a date (two beats racing) segments once."""

    lector = self.lector
    day = date.fromisoformat(as_of) if as_of else None
    outcome = handle(lector.ports, WORKER, c.RefreshSegments(day, window_days))
    result: dict[str, Any] = dict(outcome.result)
    if outcome.result.get("refreshed"):
        try:
            result["lapse_served"] = handle(lector.ports, WORKER, c.ChooseLapseModel(
                horizon_days)).result["served"]
        except ValueError as exc:  # a library too young to evaluate keeps the rule
            log.info("lapse risk not re-evaluated: %s", exc)
    # Once per date as well: a second beat racing this one appends nothing.
    result["recommendations"] = handle(lector.ports, WORKER, c.RefreshRecommendations(day)
                                       ).result["refreshed"]
    return result
