"""collection reports read model (issue 10): titles, copies in holdings, loans, renewals, holds

Revision ID: 0017_collection_reports
Revises: 0016_scheduled_exports
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0017_collection_reports'
down_revision = '0016_scheduled_exports'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('rm_coll_titles',
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('clc_class', sa.String(length=64), nullable=True),
    sa.Column('classes', sa.JSON(), nullable=True),
    sa.Column('other_classes', sa.JSON(), nullable=True),
    sa.Column('clc', sa.String(length=8), nullable=False),
    sa.Column('ddc', sa.String(length=8), nullable=True),
    sa.Column('lcc', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('title_id')
    )
    op.create_table('rm_coll_copies',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('item_type', sa.String(length=32), nullable=False),
    sa.Column('added_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('barcode')
    )
    op.create_index('ix_rm_coll_copies_title_id', 'rm_coll_copies', ['title_id'])
    op.create_table('rm_coll_spans',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('start_at', TZ, nullable=False),
    sa.Column('end_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('barcode', 'seq')
    )
    op.create_table('rm_coll_loans',
    sa.Column('loan_id', sa.String(length=64), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('opened_at', TZ, nullable=False),
    sa.Column('closed_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('loan_id')
    )
    op.create_index('ix_rm_coll_loans_barcode', 'rm_coll_loans', ['barcode'])
    op.create_index('ix_rm_coll_loans_title_id', 'rm_coll_loans', ['title_id'])
    op.create_index('ix_rm_coll_loans_opened_at', 'rm_coll_loans', ['opened_at'])
    op.create_table('rm_coll_renewals',
    sa.Column('loan_id', sa.String(length=64), nullable=False),
    sa.Column('renewals_used', sa.Integer(), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('renewed_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('loan_id', 'renewals_used')
    )
    op.create_index('ix_rm_coll_renewals_barcode', 'rm_coll_renewals', ['barcode'])
    op.create_table('rm_coll_holds',
    sa.Column('hold_id', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('pickup_branch', sa.String(length=64), nullable=False),
    sa.Column('placed_at', TZ, nullable=False),
    sa.Column('ended_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('hold_id')
    )
    op.create_index('ix_rm_coll_holds_title_id', 'rm_coll_holds', ['title_id'])


def downgrade() -> None:
    for name in ('rm_coll_holds', 'rm_coll_renewals', 'rm_coll_loans', 'rm_coll_spans',
                 'rm_coll_copies', 'rm_coll_titles'):
        op.drop_table(name)
