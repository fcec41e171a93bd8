"""activities and surveys read models (issue 12): activities, sign-ups, readers, surveys, answers

Revision ID: 0018_activities_and_surveys
Revises: 0017_collection_reports
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018_activities_and_surveys'
down_revision = '0017_collection_reports'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('rm_activities',
    sa.Column('activity_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('starts_at', TZ, nullable=False),
    sa.Column('ends_at', TZ, nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('audience_category', sa.String(length=64), nullable=True),
    sa.Column('published_at', TZ, nullable=False),
    sa.Column('seated', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('sign_ups', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('activity_id')
    )
    op.create_index('ix_rm_activities_starts_at', 'rm_activities', ['starts_at'])
    op.create_table('rm_activity_signups',
    sa.Column('activity_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queue_position', sa.BigInteger(), nullable=False),
    sa.Column('signed_up_at', TZ, nullable=False),
    sa.Column('seated_at', TZ, nullable=True),
    sa.Column('cancelled_at', TZ, nullable=True),
    sa.Column('attended_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('activity_id', 'reader_id')
    )
    op.create_index('ix_rm_activity_signups_reader_id', 'rm_activity_signups', ['reader_id'])
    op.create_table('rm_activity_readers',
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('registered_at', TZ, nullable=False),
    sa.Column('first_loan_at', TZ, nullable=True),
    sa.PrimaryKeyConstraint('reader_id')
    )
    op.create_table('rm_surveys',
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('audience_category', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('published_at', TZ, nullable=True),
    sa.Column('closed_at', TZ, nullable=True),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('survey_id')
    )
    op.create_table('rm_survey_answers',
    sa.Column('position', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('respondent_stream', sa.String(length=200), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=True),
    sa.Column('answered_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('position'),
    sa.UniqueConstraint('respondent_stream')
    )
    op.create_index('ix_rm_survey_answers_survey_id', 'rm_survey_answers', ['survey_id'])
    op.create_index('ix_rm_survey_answers_reader_id', 'rm_survey_answers', ['reader_id'])


def downgrade() -> None:
    for name in ('rm_survey_answers', 'rm_surveys', 'rm_activity_readers',
                 'rm_activity_signups', 'rm_activities'):
        op.drop_table(name)
