"""notice retries counted in leases, notice moments, the local mailbox

Revision ID: 0007_notices
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007_notices'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice_leases') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('rm_notices') as batch:
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
    # due_at comes from the trigger events: refold the outbox from the log on the next
    # catch-up (a rebuild), so rows written before this revision get their moment too and an
    # old demo's pending year is seen as stale instead of fresh.
    op.execute("DELETE FROM rm_notices")
    op.execute("UPDATE projection_checkpoints SET position = 0 WHERE name = 'notice_outbox'")
    op.create_table('notice_mailbox',
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('notice_key', sa.String(length=190), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('notice_id'),
    sa.UniqueConstraint('notice_key')
    )
    op.create_index(op.f('ix_notice_mailbox_reader_id'), 'notice_mailbox', ['reader_id'],
                    unique=False)
    op.create_index(op.f('ix_notice_mailbox_delivered_at'), 'notice_mailbox', ['delivered_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notice_mailbox_delivered_at'), table_name='notice_mailbox')
    op.drop_index(op.f('ix_notice_mailbox_reader_id'), table_name='notice_mailbox')
    op.drop_table('notice_mailbox')
    with op.batch_alter_table('rm_notices') as batch:
        batch.drop_column('due_at')
    with op.batch_alter_table('notice_leases') as batch:
        batch.drop_column('first_failed_at')
        batch.drop_column('attempts')
