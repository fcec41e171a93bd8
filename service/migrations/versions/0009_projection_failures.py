"""projection failures: where a stuck projection stopped, and why

Revision ID: 0009_projection_failures
Revises: 0008_token_versions
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009_projection_failures'
down_revision = '0008_token_versions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('projection_failures',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('projection_failures')
