"""When the notice jobs run: the daily scan at a library-local time, and the dispatcher."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab, schedule

from service.config import Config


def scan_time_utc(config: Config, on: date | None = None) -> time:
    """LECTOR_NOTICE_SCAN_TIME ('HH:MM', library time) as a UTC time of day.

    Beat runs in UTC; the offset is taken for ``on`` (default today), which is exact for
    zones without daylight saving such as China's (UTC+8 all year).
    """
    hour, _, minute = config.notice_scan_time.partition(":")
    local = datetime.combine(on or date.today(), time(int(hour), int(minute or 0)),
                             ZoneInfo(config.timezone))
    return local.astimezone(UTC).time()


def notice_schedule(config: Config) -> dict[str, dict[str, Any]]:
    """Beat entries of the notice jobs (merged into workers/schedule.py)."""
    at = scan_time_utc(config)
    return {
        "notices-daily-scan": {"task": "notices.scan",
                               "schedule": crontab(hour=at.hour, minute=at.minute)},
        # Event-triggered notices (reservation ready, fines, answers) and retries go out here.
        "notices-dispatch": {"task": "notices.dispatch",
                             "schedule": schedule(config.notice_dispatch_interval_s)},
        # Campaigns whose send time has come: each reader's notice is scheduled once.
        "campaigns-send-due": {"task": "campaigns.send_due", "schedule": schedule(60)},
    }
