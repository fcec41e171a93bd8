"""token versions (revocation) and login attempts (lockouts)

Revision ID: 0008_token_versions
Revises: 0007_notices
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008_token_versions'
down_revision = '0007_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('token_versions',
    sa.Column('account', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account')
    )
    op.create_table('login_attempts',
    sa.Column('account', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.Float(), nullable=False),
    sa.Column('locked_until', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('account')
    )


def downgrade() -> None:
    op.drop_table('login_attempts')
    op.drop_table('token_versions')
