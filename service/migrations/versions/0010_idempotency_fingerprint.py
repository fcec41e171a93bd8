"""idempotency keys remember a fingerprint of the request

Revision ID: 0010_idempotency_fingerprint
Revises: 0009_projection_failures
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010_idempotency_fingerprint'
down_revision = '0009_projection_failures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keys stored before this have no fingerprint: their replays are not checked.
    with op.batch_alter_table('idempotency_keys') as batch:
        batch.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys') as batch:
        batch.drop_column('fingerprint')
