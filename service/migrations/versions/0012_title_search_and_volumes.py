"""title search documents (tsvector / FTS5) and copy volumes

Revision ID: 0012_title_search
Revises: 0011_title_shape_v2
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012_title_search'
down_revision = '0011_title_shape_v2'
branch_labels = None
depends_on = None

DOCS = ("title_doc", "name_doc", "subject_doc", "other_doc")
# PostgreSQL: the weighted document is computed by the database from the term columns and
# GIN-indexed. The terms are already normalised and purely letters/digits, so the 'simple'
# configuration only splits them at the spaces (array_to_tsvector would be parser-free but
# keeps no positions, and without positions ts_rank ignores the weights).
PG_DOC = " || ".join(
    f"setweight(to_tsvector('simple', {col}), '{weight}')"
    for col, weight in zip(DOCS, "ABCD")
)
FTS_COLS = ", ".join(DOCS)
NEW_COLS = ", ".join(f"new.{c}" for c in DOCS)
OLD_COLS = ", ".join(f"old.{c}" for c in DOCS)


def upgrade() -> None:
    op.create_table('rm_title_search',
    sa.Column('title_id', sa.String(length=64), nullable=False),
    sa.Column('title_doc', sa.Text(), nullable=False),
    sa.Column('name_doc', sa.Text(), nullable=False),
    sa.Column('subject_doc', sa.Text(), nullable=False),
    sa.Column('other_doc', sa.Text(), nullable=False),
    sa.Column('sort_key', sa.String(length=500), nullable=False),
    sa.Column('cls', sa.String(length=8), nullable=True),
    sa.Column('format', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('copies', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('title_id')
    )
    with op.batch_alter_table('rm_title_search', schema=None) as batch_op:
        for col in ('cls', 'format', 'language', 'year'):
            batch_op.create_index(batch_op.f(f'ix_rm_title_search_{col}'), [col], unique=False)
    with op.batch_alter_table('rm_copies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enumeration', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('chronology', sa.String(length=64), nullable=True))
    with op.batch_alter_table('rm_holds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enumeration', sa.String(length=64), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE rm_title_search ADD COLUMN doc tsvector "
                   f"GENERATED ALWAYS AS ({PG_DOC}) STORED")
        op.execute("CREATE INDEX ix_rm_title_search_doc ON rm_title_search USING gin (doc)")
    else:
        # External-content FTS5 over rm_title_search's rowid; triggers keep it in step, so
        # a projection reset (DELETE) or rebuild needs no special code.
        op.execute(f"CREATE VIRTUAL TABLE rm_title_fts USING fts5({FTS_COLS}, "
                   "content='rm_title_search', content_rowid='rowid', "
                   "tokenize='ascii', prefix='1 2 3')")
        op.execute(f"CREATE TRIGGER rm_title_fts_ai AFTER INSERT ON rm_title_search BEGIN "
                   f"INSERT INTO rm_title_fts(rowid, {FTS_COLS}) VALUES (new.rowid, {NEW_COLS}); END")
        op.execute(f"CREATE TRIGGER rm_title_fts_ad AFTER DELETE ON rm_title_search BEGIN "
                   f"INSERT INTO rm_title_fts(rm_title_fts, rowid, {FTS_COLS}) "
                   f"VALUES ('delete', old.rowid, {OLD_COLS}); END")
        op.execute(f"CREATE TRIGGER rm_title_fts_au AFTER UPDATE ON rm_title_search BEGIN "
                   f"INSERT INTO rm_title_fts(rm_title_fts, rowid, {FTS_COLS}) "
                   f"VALUES ('delete', old.rowid, {OLD_COLS}); "
                   f"INSERT INTO rm_title_fts(rowid, {FTS_COLS}) VALUES (new.rowid, {NEW_COLS}); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS rm_title_fts_{name}")
        op.execute("DROP TABLE IF EXISTS rm_title_fts")
    with op.batch_alter_table('rm_holds', schema=None) as batch_op:
        batch_op.drop_column('enumeration')
    with op.batch_alter_table('rm_copies', schema=None) as batch_op:
        batch_op.drop_column('chronology')
        batch_op.drop_column('enumeration')
    op.drop_table('rm_title_search')
