"""campaigns may invite readers to a survey: rm_campaigns.survey_id

Revision ID: 0024_campaign_surveys
Revises: 0023_stream_snapshots
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0024_campaign_surveys'
down_revision = '0023_stream_snapshots'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rm_campaigns') as batch:
        batch.add_column(sa.Column('survey_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rm_campaigns') as batch:
        batch.drop_column('survey_id')
