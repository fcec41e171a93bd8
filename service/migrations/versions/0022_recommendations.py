"""recommendations: co-borrowing counts and the nightly item-kNN lists

Revision ID: 0022_recommendations
Revises: 0021_families_and_classes
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022_recommendations'
down_revision = '0021_families_and_classes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_cob_keepers',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('keep', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('reader_id')
    )
    op.create_table('rm_cob_reader_titles',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('reader_id', 'title_id')
    )
    op.create_index(op.f('ix_rm_cob_reader_titles_title_id'), 'rm_cob_reader_titles', ['title_id'])
    op.create_table('rm_cob_pairs',
    sa.Column('title_a', sa.String(length=64), nullable=False),
    sa.Column('title_b', sa.String(length=64), nullable=False),
    sa.Column('readers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('title_a', 'title_b')
    )
    op.create_index(op.f('ix_rm_cob_pairs_title_b'), 'rm_cob_pairs', ['title_b'])
    op.create_table('rm_cob_titles',
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('readers', sa.Integer(), nullable=False),
    sa.Column('loans', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('title_id')
    )
    op.create_table('rm_recommendations',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('rank', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('reader_id', 'rank')
    )


def downgrade() -> None:
    op.drop_table('rm_recommendations')
    op.drop_table('rm_cob_titles')
    op.drop_index(op.f('ix_rm_cob_pairs_title_b'), table_name='rm_cob_pairs')
    op.drop_table('rm_cob_pairs')
    op.drop_index(op.f('ix_rm_cob_reader_titles_title_id'), table_name='rm_cob_reader_titles')
    op.drop_table('rm_cob_reader_titles')
    op.drop_table('rm_cob_keepers')
