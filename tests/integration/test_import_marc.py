"""MARC import through the real catalogue handlers, on every configured database."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pymarc import Field, Indicators, Record, Subfield
from sqlalchemy import func, select

from events.catalogue import TitleUpdated
from projections.catalogue import copies, titles
from service.application.context import Actor, Principal
from service.bootstrap import Lector
from service.data.importing import MarcRun, import_marc
from service.data.importing.marc import TitleRecord, iter_marc_file
from tests.shared_data import shared_data, shared_file_names

FILES = shared_file_names("marc", {".xml", ".mrc", ".dat"})
ACTOR = Actor(Principal("staff", "importer", "admin"), "api")


def _import(lector: Lector, data: bytes | Path, name: str = "t.mrc", **kw: Any) -> Any:
    raw = data.read_bytes() if isinstance(data, Path) else data
    return import_marc(lector.ports, ACTOR, io.BytesIO(raw), name=name, **kw)


def _count(lector: Lector, table: Any) -> int:
    with lector.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _record(*fields: Field) -> Record:
    record = Record(leader="00000nam a2200000 a 4500", to_unicode=True, force_utf8=True)
    for field in fields:
        record.add_field(field)
    return record


def _data(tag: str, *pairs: str) -> Field:
    subfields = [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return Field(tag=tag, indicators=Indicators(" ", " "), subfields=subfields)


def _book(control: str, title: str, *extra: Field) -> Record:
    return _record(Field(tag="001", data=control), _data("245", "a", title), *extra)


@pytest.mark.parametrize("name", FILES)
def test_every_shared_file_imports_once_and_a_reimport_changes_nothing(
    lector: Lector, name: str
) -> None:
    good = sum(isinstance(r, TitleRecord) for r in iter_marc_file(shared_data("marc", name)))
    first = _import(lector, shared_data("marc", name), name)
    assert (first.records, first.created, first.errors) == (good, good, [])
    assert _count(lector, titles) == good
    again = _import(lector, shared_data("marc", name), name)
    assert again.created == 0
    assert again.unchanged + again.updated == good
    assert _count(lector, titles) == good


def test_all_files_in_one_library_give_each_distinct_record_one_title(lector: Lector) -> None:
    run, folder = MarcRun(), shared_data("marc")
    results = [_import(lector, folder / name, name, run=run) for name in FILES]
    # The traject set is there twice (binary and MARCXML): its second file is skipped.
    assert sum(r.created for r in results) == 456
    assert sum(r.skipped for r in results) == 30
    assert _count(lector, titles) == 456


def test_bad_records_are_reported_with_their_position_and_the_good_ones_go_in(
    lector: Lector,
) -> None:
    chunks = shared_data("marc", "pymarc_test.dat").read_bytes().split(b"\x1d")[:-1]
    chunks[2] = b"garbage" + chunks[2][7:]  # an unreadable leader in record 3
    no_title = _record(Field(tag="001", data="nt-1")).as_marc()
    data = b"".join(c + b"\x1d" for c in chunks) + no_title + chunks[5][:200]
    result = _import(lector, data)
    problems = {(e.position, e.code) for e in result.errors}
    assert problems == {(3, "unreadable_record"), (11, "missing_title"), (12, "truncated_file")}
    assert result.created == 9
    assert all(e.message_zh and e.message_en for e in result.errors)


def test_a_changed_record_updates_only_the_fields_that_changed(lector: Lector) -> None:
    original = _book("u-1", "Old title", _data("020", "a", "9787302200550"),
                     _data("260", "b", "Tsinghua", "c", "2009"))
    _import(lector, original.as_marc())
    changed = _book("u-1", "New title", _data("020", "a", "9787302200550"),
                    _data("260", "b", "Tsinghua", "c", "2009"))
    head = lector.store.last_position()
    result = _import(lector, changed.as_marc(), "second.mrc")
    assert (result.created, result.updated) == (0, 1)
    events = [s.event for s in lector.store.read_all(head, 10)]
    assert [type(e) for e in events] == [TitleUpdated]
    # The filing form follows the title (it is what lists sort by).
    assert events[0].changes == {"title": "New title", "sort_title": "new title"}


def test_a_record_matches_an_earlier_title_by_isbn_when_its_001_differs(lector: Lector) -> None:
    _import(lector, _book("a-1", "Same book", _data("020", "a", "7302200556")).as_marc())
    result = _import(lector, _book("b-9", "Same book", _data("020", "a", "9787302200550")).as_marc())
    assert (result.created, result.updated, _count(lector, titles)) == (0, 1, 1)


def test_copies_with_barcodes_are_added_once_and_copies_without_are_counted(
    lector: Lector,
) -> None:
    record = _book("c-1", "Held book",
                   _data("952", "a", "east", "p", "B0001", "y", "BK", "o", "I247.5/1"),
                   _data("952", "a", "east", "p", "B0002"), _data("852", "b", "main"))
    first = _import(lector, record.as_marc())
    assert (first.copies_added, first.copies_without_barcode) == (2, 1)
    again = _import(lector, record.as_marc(), "again.mrc")
    assert (again.copies_added, again.copies_existing) == (0, 2)
    with lector.engine.connect() as conn:
        rows = conn.execute(select(copies.c.barcode, copies.c.branch, copies.c.item_type)
                            .order_by(copies.c.barcode)).all()
    assert [tuple(r) for r in rows] == [("B0001", "east", "bk"), ("B0002", "east", "book")]


def test_an_interrupted_import_run_again_neither_duplicates_nor_loses_records(
    lector: Lector,
) -> None:
    data = shared_data("marc", "pymarc_marc.dat").read_bytes()

    def crash(records: int, done: int, size: int) -> None:
        if records == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _import(lector, data, progress=crash)
    assert _count(lector, titles) == 7
    rerun = _import(lector, data)
    assert (rerun.created, rerun.unchanged, _count(lector, titles)) == (13, 7, 20)


def test_without_caught_up_projections_a_run_still_recognises_its_own_records(
    lector: Lector,
) -> None:
    # Celery mode with a slow worker: nothing is folded while the import runs.
    lagging = replace(lector.ports, after_commit=lambda position: None)
    record = _book("lag-1", "Twice in one file").as_marc()
    result = import_marc(lagging, ACTOR, io.BytesIO(record + record), name="twice.mrc")
    assert (result.created, result.skipped) == (1, 1)
    assert [n.code for n in result.notices] == ["repeated_in_run"]
    again = import_marc(lagging, ACTOR, io.BytesIO(record), name="later.mrc")
    assert (again.created, again.unchanged) == (0, 1)


def test_an_invalid_isbn_is_reported_but_the_record_is_imported(lector: Lector) -> None:
    record = _book("i-1", "Bad ISBN", _data("020", "a", "9787302200551"))
    result = _import(lector, record.as_marc())
    assert result.created == 1
    assert [(n.code, n.position) for n in result.notices] == [("invalid_isbn", 1)]
    assert "9787302200551" in result.notices[0].message_zh


def test_a_record_holding_nul_is_reported_by_position_and_appends_nothing(lector: Lector) -> None:
    good = _book("ok-1", "好书")
    bad = _book("bad-1", "坏\u0000书")
    bad_author = _book("bad-2", "书名", _data("100", "a", "作者\u0007"))
    data = b"".join(r.as_marc() for r in (good, bad, bad_author))
    before = lector.store.last_position()
    result = _import(lector, data)
    assert [(e.position, e.code) for e in result.errors] == [(2, "unstorable_text"),
                                                             (3, "unstorable_text")]
    assert "无法保存" in result.errors[0].message_zh
    assert result.created == 1
    kinds = [e.type for e in lector.store.read_all(before)]
    assert kinds.count("title.catalogued") == 1
