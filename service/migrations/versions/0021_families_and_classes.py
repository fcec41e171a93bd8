"""families and schools read model (issue 14): guardians, classes, pupils, lists, progress

Revision ID: 0021_families_and_classes
Revises: 0020_transits
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021_families_and_classes'
down_revision = '0020_transits'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('rm_guardians',
    sa.Column('guardian_id', sa.String(length=64), nullable=False),
    sa.Column('child_id', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('linked_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('guardian_id', 'child_id')
    )
    op.create_table('rm_classes',
    sa.Column('class_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('teacher', sa.String(length=64), nullable=False),
    sa.Column('card_reader_id', sa.String(length=64), nullable=True),
    sa.Column('list_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('class_id')
    )
    op.create_index(op.f('ix_rm_classes_teacher'), 'rm_classes', ['teacher'], unique=False)
    op.create_table('rm_class_pupils',
    sa.Column('class_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('place', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('class_id', 'reader_id')
    )
    op.create_index(op.f('ix_rm_class_pupils_reader_id'), 'rm_class_pupils', ['reader_id'],
                    unique=False)
    op.create_table('rm_class_titles',
    sa.Column('class_id', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('place', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('class_id', 'title_id')
    )
    op.create_table('rm_class_progress',
    sa.Column('class_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('on_loan', sa.Boolean(), nullable=False),
    sa.Column('returned', sa.Boolean(), nullable=False),
    sa.Column('borrows', sa.Integer(), nullable=False),
    sa.Column('first_borrowed_at', TZ, nullable=False),
    sa.Column('last_returned_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('class_id', 'reader_id', 'title_id')
    )


def downgrade() -> None:
    op.drop_table('rm_class_progress')
    op.drop_table('rm_class_titles')
    op.drop_index(op.f('ix_rm_class_pupils_reader_id'), table_name='rm_class_pupils')
    op.drop_table('rm_class_pupils')
    op.drop_index(op.f('ix_rm_classes_teacher'), table_name='rm_classes')
    op.drop_table('rm_classes')
    op.drop_table('rm_guardians')
