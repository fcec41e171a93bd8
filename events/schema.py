"""Tables of the event store. Created by Alembic migrations, never by create_all in production."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only aliases the rowid (and so auto-increments) for a plain INTEGER PRIMARY KEY.
PositionType = BigInteger().with_variant(Integer(), "sqlite")

# On PostgreSQL, migration 0025 partitions this table by month of recorded_at
# (events/partitions.py): there the primary key is (position, recorded_at), the two unique
# constraints are plain indexes (their guarantees are kept as the migration explains) and the
# foreign key below is a constraint trigger. SQLite keeps exactly this shape.
events = Table(
    "events",
    metadata,
    Column("position", PositionType, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("meta", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    Index("ix_events_type_position", "type", "position"),
)

# Every stream an event belongs to (its home stream included). The primary key is the
# optimistic-concurrency guard: two writers can never both create version N of a stream.
event_streams = Table(
    "event_streams",
    metadata,
    Column("stream_id", String(200), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", PositionType, ForeignKey("events.position"), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("positions", JSON, nullable=False),
    Column("stream_versions", JSON, nullable=False),
    Column("result", JSON, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # sha256 of the request the key first came with: the same key with another body is refused.
    Column("fingerprint", String(64), nullable=True),
)

# Per-subject keys live outside the log: deleting a row crypto-shreds that person.
pii_keys = Table(
    "pii_keys",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Per-stream snapshots of a decision's folded state (events/snapshots.py): a cache beside the
# log, never a source of truth; a missing or stale-schema row means "fold from the log".
stream_snapshots = Table(
    "stream_snapshots",
    metadata,
    Column("stream_id", String(200), primary_key=True),
    Column("version", Integer, nullable=False),  # the stream version the state includes
    Column("position", BigInteger, nullable=False),  # the log position of that version
    Column("schema", Integer, nullable=False),  # the state's shape; another one is ignored
    Column("state", JSON, nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
)
