"""campaigns read model (issue 12) and the readers' marketing consent

Revision ID: 0019_campaigns
Revises: 0017_collection_reports
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019_campaigns'
down_revision = '0018_activities_and_surveys'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('rm_campaigns',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('template', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('holdout_pct', sa.Integer(), nullable=False),
    sa.Column('send_at', TZ, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('launched_at', TZ, nullable=True),
    sa.Column('starts_at', TZ, nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('holdout_count', sa.Integer(), nullable=False),
    sa.Column('notices_scheduled', sa.Integer(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    op.create_table('rm_campaign_members',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('grp', sa.String(length=8), nullable=False),
    sa.Column('starts_at', TZ, nullable=False),
    sa.Column('loans_30', sa.Integer(), nullable=False),
    sa.Column('loans_60', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'reader_id')
    )
    op.create_index(op.f('ix_rm_campaign_members_reader_id'), 'rm_campaign_members',
                    ['reader_id'])
    op.create_table('rm_campaign_visits',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'reader_id', 'day')
    )
    # Nobody consented before campaigns existed (the v1 preferences upcast to False too).
    op.add_column('rm_reader_profiles', sa.Column('marketing', sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('rm_reader_profiles', 'marketing')
    op.drop_table('rm_campaign_visits')
    op.drop_index(op.f('ix_rm_campaign_members_reader_id'), table_name='rm_campaign_members')
    op.drop_table('rm_campaign_members')
    op.drop_table('rm_campaigns')
