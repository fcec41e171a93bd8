"""reader insights: RFV segments, the reader timeline and the lapse-risk model read models

Revision ID: 0015_reader_insights
Revises: 0014_report_rollups
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015_reader_insights'
down_revision = '0014_report_rollups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_rfv_readers',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('keep_history', sa.Boolean(), nullable=False),
    sa.Column('erased', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('reader_id')
    )
    op.create_table('rm_rfv_loans',
    sa.Column('loan_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('first_renewed_on', sa.Date(), nullable=True),
    sa.Column('clc_class', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('loan_id')
    )
    op.create_index(op.f('ix_rm_rfv_loans_reader_id'), 'rm_rfv_loans', ['reader_id'])
    op.create_table('rm_rfv_holds',
    sa.Column('hold_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('placed_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('hold_id')
    )
    op.create_index(op.f('ix_rm_rfv_holds_reader_id'), 'rm_rfv_holds', ['reader_id'])
    op.create_table('rm_segment_history',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('tenure_days', sa.Integer(), nullable=False),
    sa.Column('recency_days', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Integer(), nullable=False),
    sa.Column('breadth', sa.Integer(), nullable=True),
    sa.Column('r_score', sa.Integer(), nullable=False),
    sa.Column('f_score', sa.Integer(), nullable=False),
    sa.Column('v_score', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('reader_id', 'as_of')
    )
    op.create_index(op.f('ix_rm_segment_history_as_of'), 'rm_segment_history', ['as_of'])
    op.create_table('rm_timeline_keepers',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('keep', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('reader_id')
    )
    op.create_table('rm_reader_timeline',
    sa.Column('position', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )
    op.create_index(op.f('ix_rm_reader_timeline_reader_id'), 'rm_reader_timeline', ['reader_id'])
    op.create_table('rm_lapse_model',
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('served', sa.String(length=16), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('slot')
    )


def downgrade() -> None:
    for table in ('rm_lapse_model', 'rm_reader_timeline', 'rm_timeline_keepers',
                  'rm_segment_history', 'rm_rfv_holds', 'rm_rfv_loans', 'rm_rfv_readers'):
        op.drop_table(table)
