"""Time-triggered notices: find what is due today, schedule it once, and hand pending keys out.

The scan reads the current-loans and hold projections and appends one NoticeScheduled per new
key to ``notice-<key>`` with "stream must not exist", so two scans at once (two beat
schedulers, a manual `lector notices scan`) schedule each key once. A scan that read a loan
just before it was returned still schedules it; the sender re-checks the reader's stream and
cancels it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from events.engine import as_utc
from events.vocabulary import HoldStatus
from projections.activities import seated_between
from projections.current_loans import current_loans
from projections.hold_queue import holds
from projections.notice_outbox import known_keys, pending_to_send
from projections.reader_profiles import reader_profiles
from projections.registry import by_name
from projections.runner import catch_up
from service.application.commands import ScheduleNotice
from service.application.handlers import handle
from service.application.settings import library_today
from service.bootstrap import Lector
from service.domain.notices.keys import digest_key, notice_key
from workers.notices.leases import mark_queued
from workers.notices.sending import WORKER

SCAN_INPUTS = ("reader_profiles", "catalogue", "current_loans", "hold_queue", "notice_outbox",
               "activities")
Candidate = tuple[str, str, str, dict[str, Any]]  # key, reader, kind, data


def notice_now(lector: Lector) -> datetime:
    """The business clock for notices; LECTOR_FAKE_NOW (tests only) pins it."""
    if lector.config.fake_now:
        fixed = datetime.fromisoformat(lector.config.fake_now)
        return (fixed if fixed.tzinfo else fixed.replace(tzinfo=UTC)).astimezone(UTC)
    return lector.ports.clock()


def catch_up_inputs(lector: Lector, names: tuple[str, ...] = SCAN_INPUTS) -> None:
    """Bring the projections a scan or a dispatch reads up to the head of the log."""
    for name in names:
        catch_up(lector.engine, lector.store, by_name(name, lector.config.timezone))


def _loan_candidates(conn: Connection, lector: Lector, today: date) -> list[Candidate]:
    cfg = lector.config
    soon, offsets = cfg.notice_due_soon_days, sorted(cfg.notice_overdue_offsets)
    stale_days = cfg.notice_max_age_h // 24
    rows = conn.execute(select(current_loans).where(
        current_loans.c.due_on <= today + timedelta(days=soon))).mappings()
    out: list[Candidate] = []
    for loan in rows:
        due: date = loan["due_on"]
        data = {"loan_id": loan["loan_id"], "due_on": due.isoformat(),
                "title_id": loan["title_id"], "barcode": loan["barcode"]}
        late = (today - due).days
        if late <= 0:
            key = notice_key("due_soon", loan_id=loan["loan_id"], due_date=due, offset_days=soon)
            out.append((key, loan["reader_id"], "due_soon", {**data, "kind": "due_soon"}))
            continue
        reached = [o for o in offsets if late >= o]
        # Only the latest offset reached, so a missed day never sends a backlog; and not
        # when even that one's day lies beyond the staleness window (a loan forgotten for
        # months, the demo's year): a notice whose moment has long passed is never sent.
        if reached and late - reached[-1] > stale_days:
            continue
        if reached:
            key = notice_key("overdue", loan_id=loan["loan_id"], due_date=due,
                             offset_days=reached[-1])
            out.append((key, loan["reader_id"], "overdue",
                        {**data, "kind": "overdue", "offset": reached[-1]}))
    return out


def _hold_candidates(conn: Connection, lector: Lector, today: date) -> list[Candidate]:
    days = lector.config.notice_pickup_reminder_days
    rows = conn.execute(select(holds).where(
        holds.c.status == HoldStatus.TRAPPED, holds.c.pickup_by >= today,
        holds.c.pickup_by <= today + timedelta(days=days))).mappings()
    return [(notice_key("pickup_reminder", hold_id=h["hold_id"], due_date=h["pickup_by"],
                        offset_days=days), h["reader_id"], "pickup_reminder",
             {"hold_id": h["hold_id"], "title_id": h["title_id"], "barcode": h["barcode"],
              "pickup_branch": h["pickup_branch"], "pickup_by": h["pickup_by"].isoformat()})
            for h in rows]


def _activity_candidates(conn: Connection, lector: Lector, today: date) -> list[Candidate]:
    """Seated readers of activities that start tomorrow (library day): one key per reader
    per activity, so a reminder goes once however often the scan runs."""
    zone = ZoneInfo(lector.config.timezone)
    start = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    out: list[Candidate] = []
    for row in seated_between(conn, start, start + timedelta(days=1)):
        key = notice_key("activity_reminder", ref=f"{row['activity_id']}.{row['reader_id']}")
        data = {k: row[k] for k in ("activity_id", "title_zh", "title_en", "description_zh",
                                    "description_en", "branch")}
        out.append((key, row["reader_id"], "activity_reminder",
                    {**data, "starts_at": as_utc(row["starts_at"]).isoformat()}))
    return out


def scan_notices(lector: Lector, now: datetime) -> dict[str, int]:
    """Schedule every due-soon, overdue, pickup, activity and digest notice due at ``now``."""
    catch_up_inputs(lector)
    today = library_today(now, lector.config.timezone)
    with lector.engine.connect() as conn:
        found = (_loan_candidates(conn, lector, today) + _hold_candidates(conn, lector, today)
                 + _activity_candidates(conn, lector, today))
        known = known_keys(conn, [c[0] for c in found])
        fresh = [c for c in found if c[0] not in known]
        readers = sorted({c[1] for c in fresh})
        digest_readers = {r[0] for r in conn.execute(select(reader_profiles.c.reader_id).where(
            reader_profiles.c.reader_id.in_(readers), reader_profiles.c.digest.is_(True)))}
    counts = {"found": len(found), "scheduled": 0, "digests": 0}
    digests: dict[str, list[dict[str, Any]]] = {}
    for key, reader_id, kind, data in fresh:
        if reader_id in digest_readers and kind in ("due_soon", "overdue"):
            digests.setdefault(reader_id, []).append({**data, "key": key})
        elif handle(lector.ports, WORKER,
                    ScheduleNotice(key, reader_id, kind, data, today)).result["recorded"]:
            counts["scheduled"] += 1
    for reader_id, items in digests.items():
        # Items found after today's digest went out wait for tomorrow's (their keys are free).
        key = digest_key(reader_id, today)
        digest = ScheduleNotice(key, reader_id, "digest", {"items": items}, today,
                                item_keys=[i["key"] for i in items])
        if handle(lector.ports, WORKER, digest).result["recorded"]:
            counts["digests"] += 1
    return counts


def dispatch_pending(lector: Lector, enqueue: Callable[[str], None], limit: int = 500) -> int:
    """Hand every pending notice not already queued to ``enqueue``; return how many."""
    catch_up_inputs(lector, ("notice_outbox",))
    wall = datetime.now(UTC)  # leases are about real time, not the business clock
    # Notices whose moment (business clock) is older than the window never send: the outbox
    # first built over years of history, or a log written at once like the demo's year.
    oldest = notice_now(lector) - timedelta(hours=lector.config.notice_max_age_h)
    with lector.engine.connect() as conn:
        keys = pending_to_send(conn, oldest, wall, limit)
    handed = 0
    for key in keys:
        if mark_queued(lector.engine, key, wall, lector.config.notice_requeue_s):
            enqueue(key)
            handed += 1
    return handed
