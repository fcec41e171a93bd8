"""Copies take their item type from their title's format when none is given."""

from __future__ import annotations

import io

from pymarc import Field, Indicators, Record, Subfield
from sqlalchemy import select

from projections.catalogue import copies
from service.application import catalogue
from service.application.context import Actor, Principal
from service.bootstrap import Lector
from service.data.importing import import_marc

ACTOR = Actor(Principal("staff", "importer", "admin"), "api")


def _f(tag: str, *pairs: str) -> Field:
    return Field(tag, Indicators(" ", " "),
                 [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def _item_types(lector: Lector) -> dict[str, str]:
    with lector.engine.connect() as conn:
        return dict(conn.execute(select(copies.c.barcode, copies.c.item_type)).all())


def test_an_imported_sound_recordings_copies_are_audio_unless_the_holdings_say_otherwise(
    lector: Lector,
) -> None:
    record = Record(leader="00000njm a2200000 a 4500", force_utf8=True)
    record.add_field(Field("001", data="cd-1"), _f("245", "a", "The eight symphonies"),
                     _f("852", "b", "main", "p", "CD0001"), _f("952", "a", "main", "p", "CD0002",
                                                                 "y", "LOAN7"))
    summary = import_marc(lector.ports, ACTOR, io.BytesIO(record.as_marc()), name="cd.mrc")
    assert (summary.created, summary.copies_added) == (1, 2)
    assert _item_types(lector) == {"CD0001": "audio", "CD0002": "loan7"}


def test_a_copy_added_without_item_type_follows_the_titles_format(lector: Lector) -> None:
    video = catalogue.CatalogueTitle(title="故宮", format=catalogue.TitleFormat.VIDEO)
    catalogue.catalogue_title(lector.ports, ACTOR, video, None)
    book = catalogue.CatalogueTitle(title="三体")
    catalogue.catalogue_title(lector.ports, ACTOR, book, None)
    catalogue.add_copy(lector.ports, ACTOR, catalogue.AddCopy("V1", video.title_id, "main"), None)
    catalogue.add_copy(lector.ports, ACTOR, catalogue.AddCopy("B1", book.title_id, "main"), None)
    catalogue.add_copy(lector.ports, ACTOR,
                       catalogue.AddCopy("V2", video.title_id, "main", "reference"), None)
    assert _item_types(lector) == {"V1": "video", "B1": "book", "V2": "reference"}
