"""collection reports flat in history: each copy's circulation to date (rm_coll_copy_use),
and indexes that find what changed after a past date and the holds still active

Revision ID: 0026_collection_copy_use
Revises: 0025_event_log_partitions
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0026_collection_copy_use'
down_revision = '0025_event_log_partitions'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
TABLES = ('rm_coll_titles', 'rm_coll_copies', 'rm_coll_spans', 'rm_coll_loans',
          'rm_coll_renewals', 'rm_coll_holds')


def upgrade() -> None:
    op.create_table('rm_coll_copy_use',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('circulations', sa.Integer(), nullable=False),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('open_loans', sa.Integer(), nullable=False),
    sa.Column('last_opened_at', TZ, nullable=True),
    sa.Column('last_closed_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('barcode')
    )
    op.create_index('ix_rm_coll_loans_closed_at', 'rm_coll_loans', ['closed_at'])
    op.create_index('ix_rm_coll_renewals_renewed_at', 'rm_coll_renewals', ['renewed_at'])
    op.create_index('ix_rm_coll_holds_ended_at', 'rm_coll_holds', ['ended_at'])
    op.create_index('ix_rm_rr_holds_placed_at', 'rm_rr_holds', ['placed_at'])
    # The new totals are a fold of the log: empty the collection read model and move its
    # checkpoint back, so the next catch-up refolds it with the new table.
    for table in TABLES:
        op.execute(f"DELETE FROM {table}")
    op.execute("UPDATE projection_checkpoints SET position = 0 WHERE name = 'collection'")


def downgrade() -> None:
    op.drop_index('ix_rm_rr_holds_placed_at', 'rm_rr_holds')
    op.drop_index('ix_rm_coll_holds_ended_at', 'rm_coll_holds')
    op.drop_index('ix_rm_coll_renewals_renewed_at', 'rm_coll_renewals')
    op.drop_index('ix_rm_coll_loans_closed_at', 'rm_coll_loans')
    op.drop_table('rm_coll_copy_use')
