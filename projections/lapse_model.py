"""Read model: the lapse-risk scorer the library serves now (the last ``lapse_model.chosen``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Connection, DateTime, Integer, String, Table, select

from events.insights import LapseModelChosen
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

lapse_model = Table(
    "rm_lapse_model", metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),  # always 1: the current one
    Column("served", String(16), nullable=False),
    Column("horizon_days", Integer, nullable=False),
    Column("model", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("chosen_at", DateTime(timezone=True), nullable=False),
)


class LapseModel(Projection):
    name = "lapse_model"
    tables = (lapse_model,)

    @handles(LapseModelChosen)
    def chosen(self, conn: Connection, e: LapseModelChosen, s: StoredEvent) -> None:
        conn.execute(lapse_model.delete())
        conn.execute(lapse_model.insert(), dict(
            slot=1, served=e.served, horizon_days=e.horizon_days, model=e.model,
            metrics=e.metrics, chosen_at=e.chosen_at))


def current_lapse_model(conn: Connection) -> dict[str, Any] | None:
    """The scorer chosen last, or None (then the recency rule is served)."""
    row = conn.execute(select(lapse_model)).mappings().first()
    return dict(row) if row else None
