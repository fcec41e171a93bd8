"""projection generations: rebuild beside the live read model, then swap

Revision ID: 0013_projection_generations
Revises: 0012_title_search
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013_projection_generations'
down_revision = '0012_title_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('projection_generations',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('building', sa.Integer(), nullable=True),
    sa.Column('swapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('projection_generations')
