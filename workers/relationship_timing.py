"""When the nightly segment refresh runs: 02:30 library time, after the day has closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab

from service.config import Config

REFRESH_AT = time(2, 30)


def relationship_schedule(config: Config, on: date | None = None) -> dict[str, dict[str, Any]]:
    """Beat entry of the nightly refresh (merged into workers/schedule.py)."""
    local = datetime.combine(on or date.today(), REFRESH_AT, ZoneInfo(config.timezone))
    at = local.astimezone(UTC)
    return {"relationships-nightly": {"task": "relationships.refresh",
                                      "schedule": crontab(hour=at.hour, minute=at.minute)}}
