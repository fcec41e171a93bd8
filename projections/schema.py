"""The metadata every read-model table hangs off, and the checkpoints table."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

# A projection whose fold raised on an event stops before it (its checkpoint stays at the last
# good position) while the others go on; this row says where and why until a retry succeeds.
failures = Table(
    "projection_failures",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("error", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("last_attempt_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
)

# Which generation of its tables each projection answers from. A rebuild folds generation N+1
# into tables of its own (``rm_titles__g7``) while the live ones keep answering, then renames
# them into place in one transaction (projections/generations.py); ``building`` names the
# generation being folded, so only the latest rebuild of a projection can swap.
generations = Table(
    "projection_generations",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("building", Integer, nullable=True),
    Column("swapped_at", DateTime(timezone=True), nullable=True),
)
