"""Rebuilds fold into in-memory copies of the build tables and flush each batch in bulk
(projections/buffered.py). On a generated library (the demo: loans, renewals, holds, fines,
notices, feedback, payments), a rebuild of every projection equals the read models the live
runner built incrementally, on SQLite and PostgreSQL, and every projection went through the
buffered path: none is skipped or silently left to the row-by-row path."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from events import pii
from projections import rebuilding
from projections.buffered import TableMirror
from projections.registry import all_projections
from projections.runner import rebuild_all
from service.bootstrap import bootstrap
from service.config import Config
from service.data.demo.executor import build_demo
from tests.integration.test_projection_rebuild_property import snapshot

# Projections whose rebuild may write some table directly (a statement shape the copies do
# not carry out); each still has to pass the equality below. Keep this list short.
DIRECT_ALLOWED: dict[str, set[str]] = {}
# Build tables that a handler's statement reads on the database during the fold (a join, a
# GROUP BY): their indexes are made before it runs instead of after the fold.
EARLY_INDEXES = {"rm_class_pupils", "rm_cob_pairs", "rm_rfv_loans"}


def test_a_buffered_rebuild_of_every_projection_equals_the_incremental_fold(
    database_url: str, tmp_path: Path,
) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    build_demo(config, seed=11, start=date(2025, 1, 1), target_loans=150)
    lector = bootstrap(config)
    try:
        incremental = snapshot(lector.engine)
        head = lector.store.last_position()
        rebuilding.last_rebuild.clear()
        reached, failed = rebuild_all(lector.engine, lector.store, lector.projections,
                                      batch=500)
        assert failed == []
        assert reached == {p.name: head for p in lector.projections}
        rebuilt = snapshot(lector.engine)
        for table, rows in incremental.items():
            assert rebuilt[table] == rows, table
        names = {p.name for p in all_projections(config.timezone)}
        assert set(rebuilding.last_rebuild) == names, "every projection was rebuilt"
        for name, seen in rebuilding.last_rebuild.items():
            assert set(seen["direct"]) <= DIRECT_ALLOWED.get(name, set()), (name, seen)
        busy = [n for n, seen in rebuilding.last_rebuild.items() if seen["in_memory"]]
        assert len(busy) >= len(names) - 3, rebuilding.last_rebuild
    finally:
        lector.dispose()


def test_a_rebuild_leaves_secondary_indexes_to_the_end_and_then_has_every_one(
    database_url: str, tmp_path: Path,
) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    build_demo(config, seed=5, start=date(2025, 1, 1), target_loans=40)
    lector = bootstrap(config)
    made_during_fold: list[str] = []
    make = TableMirror.make_indexes

    def spy(mirror: TableMirror, conn: Any) -> None:
        if not mirror.indexed:
            made_during_fold.append(mirror.table.name)
        make(mirror, conn)

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(TableMirror, "make_indexes", spy)
            patch.setattr(rebuilding, "_index", _counting(rebuilding._index, made_during_fold))
            _reached, failed = rebuild_all(lector.engine, lector.store, lector.projections,
                                           batch=200)
        assert failed == []
        # Tables get their secondary indexes after the fold ("<end>" marks its end), except
        # those a statement had to read on the database during the fold: they got them then.
        first_end = made_during_fold.index("<end>")
        assert set(made_during_fold[:first_end]) == EARLY_INDEXES, made_during_fold
        assert len(set(made_during_fold[first_end:]) - {"<end>"}) > 3 * len(EARLY_INDEXES)
        with lector.engine.connect() as conn:
            found = inspect(conn)
            for projection in lector.projections:
                for table in projection.tables:
                    have = {(tuple(i["column_names"]), bool(i["unique"]))
                            for i in found.get_indexes(table.name)}
                    for index in table.indexes:
                        wanted = (tuple(c.name for c in index.columns), bool(index.unique))
                        assert wanted in have, (table.name, wanted, have)
            if conn.dialect.name == "postgresql":
                assert any(i["column_names"] == ["doc"]
                           for i in found.get_indexes("rm_title_search"))
                # Every rebuilt table was analysed before the swap, so the first reports after
                # it are not planned for empty tables.
                unanalysed = conn.execute(text(
                    "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'rm\\_%'"
                    " AND last_analyze IS NULL AND last_autoanalyze IS NULL")).scalars().all()
                assert unanalysed == [], unanalysed
    finally:
        lector.dispose()


def _counting(index: Any, seen: list[str]) -> Any:
    def wrapped(engine: Any, build: Any) -> None:
        seen.append("<end>")
        index(engine, build)
    return wrapped


def test_a_rebuild_decrypts_personal_fields_only_for_projections_that_show_them(
    database_url: str, tmp_path: Path,
) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    build_demo(config, seed=7, start=date(2025, 1, 1), target_loans=40)
    lector = bootstrap(config)
    calls: list[int] = []
    decrypt = pii.decrypt_fields

    def counted(data: dict[str, Any], keys: Any) -> frozenset[str]:
        calls.append(1)
        return decrypt(data, keys)

    try:
        incremental = snapshot(lector.engine)
        quiet = [p for p in lector.projections if not p.personal]
        assert {p.name for p in quiet} >= {"reader_timeline", "report_rollups"}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pii, "decrypt_fields", counted)
            assert rebuild_all(lector.engine, lector.store, quiet)[1] == []
            assert calls == [], "no projection of these reads a personal field"
            profiles = [p for p in lector.projections if p.name == "reader_profiles"]
            assert rebuild_all(lector.engine, lector.store, profiles)[1] == []
            assert calls, "reader profiles show names: decrypted for them"
        rebuilt = snapshot(lector.engine)
        for table, rows in incremental.items():
            assert rebuilt[table] == rows, table
    finally:
        lector.dispose()
