"""PostgreSQL: the event log partitioned by month of recorded_at (SQLite unchanged)

Revision ID: 0025_event_log_partitions
Revises: 0024_campaign_surveys
Create Date: 2026-12-02

A partitioned table's primary key and unique constraints must include the partition key,
and a foreign key can only point at such a constraint. What each old guarantee becomes:

- ``position`` unique (was the primary key): the key is now (position, recorded_at).
  Positions still come only from ``events_position_seq`` (the column default and the
  append statement's nextval), which never hands a number out twice; copy_log, the one
  writer of explicit positions, only fills an empty log and moves the sequence past them.
  Since every link in ``event_streams`` names a position and its event (below), and
  (position, recorded_at) is still an index, lookups by position stay index scans.
- (stream_id, version) unique (``uq_events_stream_version``): every event's home
  (stream_id, version) is also written, in the same statement, to ``event_streams``, whose
  primary key (not partitioned) refuses a second one: two events can still never take the
  same version of a stream. A plain index keeps the lookup.
- ``event_id`` unique: a plain index now; ids are uuid4 drawn by the store, so a clash is
  not a case the store could meet, and nothing references event_id.
- ``event_streams.position`` -> ``events.position`` (foreign key): a constraint trigger
  refuses a link to a position no event has, at the end of the inserting statement, as the
  foreign key's own trigger did. The other half of a foreign key (no event deleted under a
  link) is the append-only trigger's, which every partition inherits.
"""
from __future__ import annotations

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

from events.partitions import MONTHS_AHEAD, add_months, ensure_months, month_of, refuse_truncate

revision = '0025_event_log_partitions'
down_revision = '0024_campaign_surveys'
branch_labels = None
depends_on = None

COLUMNS = """
    position bigint NOT NULL DEFAULT nextval('events_position_seq'::regclass),
    event_id varchar(36) NOT NULL,
    stream_id varchar(200) NOT NULL,
    version integer NOT NULL,
    type varchar(100) NOT NULL,
    schema_version integer NOT NULL,
    data json NOT NULL,
    meta json NOT NULL,
    recorded_at timestamptz NOT NULL"""
ALL = "position, event_id, stream_id, version, type, schema_version, data, meta, recorded_at"

LINK_CHECK = """
CREATE OR REPLACE FUNCTION lector_link_has_event() RETURNS trigger AS $$
BEGIN
    -- A link is written with its event, stamped about now: look in this month's partition
    -- first (runtime pruning on now()), and in every partition only if it is not there.
    IF EXISTS (SELECT 1 FROM events WHERE position = NEW.position
                  AND recorded_at >= now() - interval '1 hour'
                  AND recorded_at < now() + interval '1 hour') THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM events WHERE position = NEW.position) THEN
        RAISE EXCEPTION 'insert on table "event_streams" violates foreign key constraint '
            '"event_streams_position_fkey"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (position)=(%s) is not present in table "events".',
                                  NEW.position);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""


def _append_only(table: str) -> None:
    op.execute(f"CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION lector_refuse_log_change()")
    op.execute(f"CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {table} "
               "FOR EACH STATEMENT EXECUTE FUNCTION lector_refuse_log_change()")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER TABLE event_streams DROP CONSTRAINT event_streams_position_fkey")
    op.execute("ALTER TABLE events RENAME TO events_plain")
    for old in ("events_pkey", "events_event_id_key", "uq_events_stream_version"):
        op.execute(f"ALTER TABLE events_plain RENAME CONSTRAINT {old} TO {old}_plain")
    op.execute("ALTER INDEX ix_events_type_position RENAME TO ix_events_type_position_plain")

    op.execute(f"CREATE TABLE events ({COLUMNS},\n"
               "    CONSTRAINT events_pkey PRIMARY KEY (position, recorded_at)\n"
               ") PARTITION BY RANGE (recorded_at)")
    op.execute("CREATE INDEX ix_events_type_position ON events (type, position)")
    op.execute("CREATE INDEX ix_events_stream_version ON events (stream_id, version)")
    op.execute("CREATE INDEX ix_events_event_id ON events (event_id)")
    op.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
    _append_only("events")
    refuse_truncate(bind, "events_default")

    # A month for every month the log already spans, and the next few: no row starts out
    # in the default partition.
    first, newest = bind.execute(
        text("SELECT min(recorded_at), max(recorded_at) FROM events_plain")).one()
    this_month = month_of(datetime.now(UTC))
    start = month_of(first) if first is not None else this_month
    last = max(add_months(this_month, MONTHS_AHEAD),
               month_of(newest) if newest is not None else this_month)
    months = []
    while start <= last:
        months.append(start)
        start = add_months(start, 1)
    ensure_months(bind, months)

    op.execute(f"INSERT INTO events ({ALL}) SELECT {ALL} FROM events_plain ORDER BY position")
    op.execute("ALTER SEQUENCE events_position_seq OWNED BY events.position")
    op.execute("DROP TABLE events_plain")
    op.execute(LINK_CHECK)
    op.execute("CREATE CONSTRAINT TRIGGER event_streams_position_fkey AFTER INSERT OR UPDATE "
               "ON event_streams FOR EACH ROW EXECUTE FUNCTION lector_link_has_event()")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
    op.execute("DROP TRIGGER event_streams_position_fkey ON event_streams")
    op.execute("DROP FUNCTION lector_link_has_event()")
    op.execute("ALTER TABLE events RENAME TO events_parted")
    op.execute("ALTER TABLE events_parted RENAME CONSTRAINT events_pkey TO events_parted_pkey")
    for index in ("ix_events_type_position", "ix_events_stream_version", "ix_events_event_id"):
        op.execute(f"ALTER INDEX {index} RENAME TO {index}_parted")
    op.execute(f"CREATE TABLE events ({COLUMNS},\n"
               "    CONSTRAINT events_pkey PRIMARY KEY (position),\n"
               "    CONSTRAINT events_event_id_key UNIQUE (event_id),\n"
               "    CONSTRAINT uq_events_stream_version UNIQUE (stream_id, version))")
    op.execute("CREATE INDEX ix_events_type_position ON events (type, position)")
    op.execute(f"INSERT INTO events ({ALL}) SELECT {ALL} FROM events_parted ORDER BY position")
    op.execute("ALTER SEQUENCE events_position_seq OWNED BY events.position")
    op.execute("DROP TABLE events_parted")  # and its partitions
    _append_only("events")
    op.execute("ALTER TABLE event_streams ADD CONSTRAINT event_streams_position_fkey "
               "FOREIGN KEY (position) REFERENCES events (position)")
