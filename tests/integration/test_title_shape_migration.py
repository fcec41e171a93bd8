"""Upgrading a library with v1 titles: the catalogue refills with the v2 shape."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text

from events.engine import make_engine, write_connection
from events.sqlalchemy_store import SqlEventStore
from projections.catalogue import Catalogue, titles
from projections.runner import catch_up
from service.adapters.database import alembic_config, upgrade

V1 = {"title_id": "t1", "title": "Old title", "authors": ["Liu, Cixin"], "isbn": None,
      "publisher": None, "year": 2008, "language": "chi", "clc_class": "I247.55",
      "other_classes": {"lc": "PL2946"}, "subjects": [], "title_original": None,
      "source_keys": ["001:x1"]}


def test_an_upgrade_refills_the_catalogue_from_v1_events_with_names_and_classes(
    database_url: str,
) -> None:
    command.downgrade(alembic_config(database_url), "0010_idempotency_fingerprint")
    engine = make_engine(database_url)
    try:
        with write_connection(engine) as conn, conn.begin():
            position = conn.execute(text(
                "INSERT INTO events (event_id, stream_id, version, type, schema_version, data,"
                " meta, recorded_at) VALUES ('e1', 'title-t1', 1, 'title.catalogued', 1, :d,"
                " '{}', '2026-01-01 00:00:00') RETURNING position"), {"d": json.dumps(V1)}
            ).scalar_one()
            conn.execute(text("INSERT INTO event_streams (stream_id, version, position) "
                              "VALUES ('title-t1', 1, :p)"), {"p": position})
            # What the old projection had written, with its checkpoint past the event.
            conn.execute(text(
                "INSERT INTO rm_titles (title_id, title, authors, language, subjects,"
                " source_keys, catalogued_at, search_text) VALUES ('t1', 'Old title',"
                " '[\"Liu, Cixin\"]', 'chi', '[]', '[]', '2026-01-01 00:00:00', 'old title')"))
            conn.execute(text("INSERT INTO projection_checkpoints (name, position) "
                              "VALUES ('catalogue', :p)"), {"p": position})
        engine.dispose()
        upgrade(database_url)
        engine = make_engine(database_url)
        catch_up(engine, SqlEventStore(engine), Catalogue())
        with engine.connect() as conn:
            row = conn.execute(select(titles)).mappings().one()
        assert row["names"] == [{"name": "Liu, Cixin", "role": "author", "kind": "personal",
                                 "original": None}]
        assert row["classes"] == [{"scheme": "clc", "value": "I247.55"},
                                  {"scheme": "lcc", "value": "PL2946"}]
        assert (row["languages"], row["format"], row["sort_title"]) == (
            ["chi"], "book", "old title")
    finally:
        engine.dispose()
