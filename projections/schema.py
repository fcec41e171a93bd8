"""The metadata every read-model table hangs off, and the checkpoints table."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table

metadata = MetaData()

checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)
