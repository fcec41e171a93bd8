"""scheduled exports and the payments ledger: rm_export_schedules, rm_export_deliveries,
export_delivery_claims (operational lease per schedule and period), rm_payments

Revision ID: 0016_scheduled_exports
Revises: 0015_reader_insights
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016_scheduled_exports'
down_revision = '0015_reader_insights'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_export_schedules',
    sa.Column('schedule_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('cadence', sa.String(length=8), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('monthday', sa.Integer(), nullable=True),
    sa.Column('at', sa.String(length=5), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('folder', sa.String(length=200), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('last_period', sa.String(length=16), nullable=True),
    sa.Column('last_delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deliveries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('schedule_id')
    )
    op.create_table('rm_export_deliveries',
    sa.Column('schedule_id', sa.String(length=64), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('target', sa.String(length=1000), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('schedule_id', 'period_key')
    )
    op.create_table('export_delivery_claims',
    sa.Column('schedule_id', sa.String(length=64), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('schedule_id', 'period_key')
    )
    op.create_table('rm_payments',
    sa.Column('position', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('line', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('movement', sa.String(length=16), nullable=False),
    sa.Column('fine_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('fine_kind', sa.String(length=16), nullable=True),
    sa.Column('payment_id', sa.String(length=64), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=400), nullable=True),
    sa.Column('barcode', sa.String(length=64), nullable=True),
    sa.Column('title_id', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('position', 'line')
    )
    op.create_index('ix_rm_payments_fine_id', 'rm_payments', ['fine_id'])
    op.create_index('ix_rm_payments_reader_id', 'rm_payments', ['reader_id'])
    op.create_index('ix_rm_payments_at', 'rm_payments', ['at'])


def downgrade() -> None:
    op.drop_index('ix_rm_payments_at', table_name='rm_payments')
    op.drop_index('ix_rm_payments_reader_id', table_name='rm_payments')
    op.drop_index('ix_rm_payments_fine_id', table_name='rm_payments')
    op.drop_table('rm_payments')
    op.drop_table('export_delivery_claims')
    op.drop_table('rm_export_deliveries')
    op.drop_table('rm_export_schedules')
