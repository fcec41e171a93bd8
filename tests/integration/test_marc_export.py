"""Titles exported as MARC 21 or CNMARC read back as the same titles."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from projections.catalogue import titles
from service.application.context import Actor, Principal
from service.bootstrap import Lector
from service.data.exporting.marc_writer import iso2709
from service.data.importing import MarcRun, import_marc
from service.data.importing.marc import TitleRecord, iter_marc_stream
from service.data.importing.title_fields import record_fields
from tests.shared_data import shared_data_dir

REPO = Path(__file__).resolve().parents[2]
SHARED = shared_data_dir() / "marc"
SOURCES = [SHARED / "marc2bibframe2_gwu.xml", SHARED / "traject_test_data.utf8.mrc",
           REPO / "tests/data/cnmarc/gwu_cnmarc.gb18030.mrc",
           REPO / "tests/data/cnmarc/periouni_sample.mrc"]
ACTOR = Actor(Principal("staff", "importer", "admin"), "api")
# What a title is made of; match keys differ by design (an export's 001 is the title id
# when the source had none).
FIELDS = ("title", "authors", "names", "subjects", "classes", "isbn", "publisher", "year",
          "languages", "language", "format", "nonfiling", "sort_title", "series", "edition",
          "pages", "summary", "variant_titles")
MARC21_ONLY = ("title_original",)  # 880 vernacular forms have no CNMARC field here


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return str(value) if hasattr(value, "value") else value


@pytest.mark.parametrize("dialect", ["marc21", "cnmarc"])
def test_exported_titles_read_back_as_the_same_titles(lector: Lector, dialect: str) -> None:
    for path in SOURCES:
        summary = import_marc(lector.ports, ACTOR, io.BytesIO(path.read_bytes()),
                              name=path.name, run=MarcRun())
        assert summary.errors == []
    with lector.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(titles).order_by(titles.c.title_id))
                .mappings()]
    data = b"".join(iso2709(rows, dialect))
    back = list(iter_marc_stream(io.BytesIO(data), dialect="auto"))
    assert len(back) == len(rows) > 150
    compared = FIELDS + (MARC21_ONLY if dialect == "marc21" else ())
    for row, record in zip(rows, back, strict=True):
        assert isinstance(record, TitleRecord)
        assert record.marc_format == dialect
        values, _ = record_fields(record)
        # Names keep their vernacular form only in MARC 21 (880).
        names = [dict(n, original=None) for n in row["names"]] if dialect == "cnmarc" \
            else row["names"]
        expected = {**{k: _plain(row[k]) for k in compared}, "names": names}
        assert {k: _plain(values[k]) for k in compared} == expected, row["title"]


def test_the_api_exports_the_catalogue_as_cnmarc_that_imports_as_the_same_titles(
    client: Any, auth: Any, lector: Lector
) -> None:
    path = REPO / "tests/data/cnmarc/gwu_cnmarc.gb18030.mrc"
    import_marc(lector.ports, ACTOR, io.BytesIO(path.read_bytes()), name=path.name)
    reply = client.get("/api/v1/exports/marc/titles?format=cnmarc", headers=auth("librarian"))
    assert reply.status_code == 200 and reply.mimetype == "application/marc"
    again = import_marc(lector.ports, ACTOR, io.BytesIO(reply.data), name="export.mrc")
    assert (again.records, again.created, again.updated, again.unchanged) == (14, 0, 0, 14)
    assert client.get("/api/v1/exports/marc/titles", headers=auth("desk")).status_code == 403
