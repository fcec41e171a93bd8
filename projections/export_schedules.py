"""Read model: scheduled exports with their settings and every period delivered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    select,
    update,
)

from events.exports import (
    ScheduledExportChanged,
    ScheduledExportCreated,
    ScheduledExportDelivered,
    ScheduledExportRemoved,
)
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

schedules = Table(
    "rm_export_schedules",
    metadata,
    Column("schedule_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("format", String(8), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("cadence", String(8), nullable=False),
    Column("weekday", Integer),
    Column("monthday", Integer),
    Column("at", String(5), nullable=False),
    Column("delivery", String(8), nullable=False),
    Column("folder", String(200)),
    Column("recipients", JSON, nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200)),
    Column("last_period", String(16)),
    Column("last_delivered_at", DateTime(timezone=True)),
    Column("deliveries", Integer, nullable=False, default=0),
)

deliveries = Table(
    "rm_export_deliveries",
    metadata,
    Column("schedule_id", String(64), primary_key=True),
    Column("period_key", String(16), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("format", String(8), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("target", String(1000), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
)

SETTINGS = ("name", "kind", "format", "lang", "cadence", "weekday", "monthday", "at",
            "delivery", "folder")


def _settings(e: ScheduledExportCreated | ScheduledExportChanged) -> dict[str, Any]:
    return {**{k: getattr(e, k) for k in SETTINGS}, "recipients": list(e.recipients)}


class ExportSchedules(Projection):
    name = "export_schedules"
    tables = (schedules, deliveries)

    @handles(ScheduledExportCreated)
    def created(self, conn: Connection, e: ScheduledExportCreated, s: StoredEvent) -> None:
        conn.execute(schedules.insert(), dict(
            schedule_id=e.schedule_id, **_settings(e), removed=False, created_at=e.created_at,
            changed_at=e.created_at, created_by=s.meta.get("actor"), deliveries=0))

    @handles(ScheduledExportChanged)
    def changed(self, conn: Connection, e: ScheduledExportChanged, s: StoredEvent) -> None:
        conn.execute(update(schedules).where(schedules.c.schedule_id == e.schedule_id)
                     .values(**_settings(e), changed_at=e.changed_at))

    @handles(ScheduledExportRemoved)
    def removed(self, conn: Connection, e: ScheduledExportRemoved, s: StoredEvent) -> None:
        conn.execute(update(schedules).where(schedules.c.schedule_id == e.schedule_id)
                     .values(removed=True, changed_at=e.removed_at))

    @handles(ScheduledExportDelivered)
    def delivered(self, conn: Connection, e: ScheduledExportDelivered, s: StoredEvent) -> None:
        conn.execute(deliveries.insert(), dict(
            schedule_id=e.schedule_id, period_key=e.period_key, kind=e.kind, format=e.format,
            delivered_at=e.delivered_at, position=e.position, file_name=e.file_name,
            target=e.target, size_bytes=e.size_bytes))
        conn.execute(update(schedules).where(schedules.c.schedule_id == e.schedule_id)
                     .values(last_period=e.period_key, last_delivered_at=e.delivered_at,
                             deliveries=schedules.c.deliveries + 1))


def list_schedules(conn: Connection, include_removed: bool = False) -> list[dict[str, Any]]:
    """Every schedule (oldest first), each with its last delivery's period and time."""
    query = select(schedules).order_by(schedules.c.created_at, schedules.c.schedule_id)
    if not include_removed:
        query = query.where(schedules.c.removed.is_(False))
    return [dict(r) for r in conn.execute(query).mappings()]


def get_schedule(conn: Connection, schedule_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(schedules).where(schedules.c.schedule_id == schedule_id)).first()
    return None if row is None else dict(row._mapping)


def list_deliveries(conn: Connection, schedule_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """A schedule's most recent deliveries, newest first."""
    query = (select(deliveries).where(deliveries.c.schedule_id == schedule_id)
             .order_by(deliveries.c.delivered_at.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]
