"""title shape v2: names with roles, classes with schemes, variant titles, languages, format

Revision ID: 0011_title_shape_v2
Revises: 0010_idempotency_fingerprint
Create Date: 2026-12-02 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_title_shape_v2'
down_revision = '0010_idempotency_fingerprint'
branch_labels = None
depends_on = None

_JSON = ('names', 'classes', 'variant_titles', 'languages', 'series')


def upgrade() -> None:
    with op.batch_alter_table('rm_titles', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=8),
                              type_=sa.String(length=32), existing_nullable=True)
        for name in _JSON:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('format', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('nonfiling', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sort_title', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('edition', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pages', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('publisher_original', sa.String(length=300),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_rm_titles_sort_title'), ['sort_title'],
                              unique=False)
    # The catalogue read model is a fold of the log: empty it and move its checkpoint back,
    # so the next catch-up fills the new columns for every title (v1 events are upcast to
    # v2 on read). Copies are in the same projection and come back with their status.
    op.execute("DELETE FROM rm_copies")
    op.execute("DELETE FROM rm_titles")
    op.execute("UPDATE projection_checkpoints SET position = 0 WHERE name = 'catalogue'")


def downgrade() -> None:
    with op.batch_alter_table('rm_titles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_titles_sort_title'))
        for name in ('publisher_original', 'summary', 'pages', 'edition', 'sort_title',
                     'nonfiling', 'format', *_JSON):
            batch_op.drop_column(name)
        batch_op.alter_column('language', existing_type=sa.String(length=32),
                              type_=sa.String(length=8), existing_nullable=True)
