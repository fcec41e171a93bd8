"""the log is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("events", "event_streams")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION lector_refuse_log_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the event log is append-only: % on % refused',
                    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION lector_refuse_log_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION lector_refuse_log_change()"
            )
    else:
        # SQLite: the same refusal as triggers, so the embedded default keeps the promise too.
        for table in TABLES:
            for op_name in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lector_refuse_log_change()")
    else:
        for table in TABLES:
            for op_name in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op_name}")
