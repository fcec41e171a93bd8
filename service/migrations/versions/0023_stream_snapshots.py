"""per-stream snapshots of decision state (issue 17)

Revision ID: 0023_stream_snapshots
Revises: 0022_recommendations
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023_stream_snapshots'
down_revision = '0022_recommendations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_snapshots',
    sa.Column('stream_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('schema', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('stream_id'))


def downgrade() -> None:
    op.drop_table('stream_snapshots')
