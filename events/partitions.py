"""Monthly partitions of the PostgreSQL event log (migration 0025), made ahead of time.

``events`` is partitioned by RANGE over ``recorded_at`` (UTC months) with a DEFAULT
partition, so an append never fails for want of a partition. Months are created ahead by
the migration, ``lector db upgrade``, ``lector db partitions`` and a nightly beat task.
If the default partition already holds rows of a month (nobody made it in time), they are
moved into the new month's partition in the same transaction that creates it, so a reader
sees them in one place or the other, never in both or neither.

Two processes may run this at once: a transaction-scoped advisory lock lets one create a
month while the other waits, then finds it made and creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, text

PARENT = "events"
DEFAULT = "events_default"
MONTHS_AHEAD = 3
# Below 2**48 like the store's append lock, never meeting the in-flight markers (pg_log) nor
# the projections' crc32 keys. "LEPART".
PARTITION_LOCK_ID = 0x4C4550415254


@dataclass(frozen=True)
class Partition:
    """One partition of the log: its table, its month (None for DEFAULT) and its rows."""

    name: str
    month: date | None
    rows: int


def month_of(moment: datetime) -> date:
    """The first day of the UTC month an instant falls in."""
    utc = moment.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"events_p{month.year:04d}{month.month:02d}"


def is_partitioned(conn: Connection) -> bool:
    """Whether this database's event log is a partitioned table (PostgreSQL after 0025)."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.scalar(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"),
                       {"t": PARENT})
    return bool(kind == "p")


def ensure_partitions(target: Engine | Connection, months_ahead: int = MONTHS_AHEAD,
                      now: datetime | None = None) -> list[str]:
    """Create the partitions of this month and the next ``months_ahead`` months that are
    missing; return the names created. A no-op on SQLite or an unpartitioned log."""
    start = month_of(now or datetime.now(UTC))
    months = [add_months(start, n) for n in range(months_ahead + 1)]
    return ensure_months(target, months)


def ensure_months(target: Engine | Connection, months: Iterable[date]) -> list[str]:
    """Create the given months' partitions that are missing, in one transaction."""
    if isinstance(target, Engine):
        with target.begin() as conn:
            return ensure_months(conn, months)
    if not is_partitioned(target):
        return []
    target.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK_ID})
    existing = {p.month for p in list_partitions(target, count=False)}
    return [_create(target, m) for m in sorted(set(months)) if m not in existing]


def _create(conn: Connection, month: date) -> str:
    name = partition_name(month)
    low, high = month.isoformat(), add_months(month, 1).isoformat()
    bounds = f"FROM ('{low} 00:00:00+00') TO ('{high} 00:00:00+00')"
    in_range = f"recorded_at >= '{low} 00:00:00+00' AND recorded_at < '{high} 00:00:00+00'"
    stray = conn.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE {in_range})"))
    if not stray:
        conn.execute(text(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES {bounds}"))
    else:
        # The parent is locked against appends first (they would otherwise queue on the
        # default partition while we hold it, and we on them). Readers wait only for the
        # ATTACH at the end.
        conn.execute(text(f"LOCK TABLE {PARENT} IN SHARE ROW EXCLUSIVE MODE"))
        conn.execute(text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)"))
        conn.execute(text(f"INSERT INTO {name} SELECT * FROM {DEFAULT} WHERE {in_range}"))
        # The append-only trigger refuses every DELETE; this one moves rows, it loses none,
        # and only inside this transaction.
        conn.execute(text(f"ALTER TABLE {DEFAULT} DISABLE TRIGGER events_append_only"))
        conn.execute(text(f"DELETE FROM {DEFAULT} WHERE {in_range}"))
        conn.execute(text(f"ALTER TABLE {DEFAULT} ENABLE TRIGGER events_append_only"))
        conn.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES {bounds}"))
    refuse_truncate(conn, name)
    return name


def refuse_truncate(conn: Connection, table: str) -> None:
    """TRUNCATE of a partition does not fire the parent's statement trigger: give each
    partition its own (row triggers, UPDATE and DELETE, are inherited)."""
    conn.execute(text(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION lector_refuse_log_change()"))


def list_partitions(conn: Connection, count: bool = True) -> list[Partition]:
    """Every partition of the log, months in order then DEFAULT, with row counts."""
    if not is_partitioned(conn):
        return []
    rows = conn.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"),
        {"t": PARENT}).all()
    found: list[Partition] = []
    for name, bound in rows:
        month = None if bound == "DEFAULT" else _lower_month(bound)
        rows_in = int(conn.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0) if count else 0
        found.append(Partition(name, month, rows_in))
    return sorted(found, key=lambda p: (p.month is None, p.month or date.min))


def _lower_month(bound: str) -> date:
    # "FOR VALUES FROM ('2026-12-01 08:00:00+08') TO (...)": the server renders the bound in
    # its session time zone, so read the instant and take its UTC month.
    lower = bound.split("('", 1)[1].split("')", 1)[0]
    return month_of(datetime.fromisoformat(lower))
