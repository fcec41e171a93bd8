"""copies in transit between branches (issue 13, the desk's transit list)

Revision ID: 0020_transits
Revises: 0019_campaigns
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020_transits'
down_revision = '0019_campaigns'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_transits',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('from_branch', sa.String(length=64), nullable=False),
    sa.Column('to_branch', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('hold_id', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('barcode')
    )
    with op.batch_alter_table('rm_transits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_transits_to_branch'), ['to_branch'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rm_transits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_transits_to_branch'))
    op.drop_table('rm_transits')
