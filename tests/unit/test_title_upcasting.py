"""A title catalogued as v1 (before names, classes and formats) reads back as a v2 title."""

from __future__ import annotations

from events.catalogue import TitleCatalogued, TitleFormat
from events.codec import from_data, upcast

V1 = {"title_id": "t1", "title": "The three-body problem", "authors": ["Liu, Cixin"],
      "isbn": "9787536692930", "publisher": "重庆出版社", "year": 2008, "language": "chi",
      "clc_class": "I247.55", "other_classes": {"lc": "PL2946.I86", "dewey": "895.1352"},
      "subjects": ["Science fiction"], "title_original": "三体", "source_keys": ["001:x1"]}


def test_a_v1_title_upcasts_to_v2_with_its_authors_as_names_and_its_classes_by_scheme() -> None:
    event = from_data("title.catalogued", upcast("title.catalogued", 1, dict(V1)))
    assert isinstance(event, TitleCatalogued)
    assert event.names == ({"name": "Liu, Cixin", "role": "author", "kind": "personal",
                            "original": None},)
    assert event.classes == ({"scheme": "clc", "value": "I247.55"},
                             {"scheme": "lcc", "value": "PL2946.I86"},
                             {"scheme": "ddc", "value": "895.1352"})
    assert (event.languages, event.language) == (("chi",), "chi")
    assert event.format is TitleFormat.BOOK
    assert (event.nonfiling, event.sort_title) == (0, "the three-body problem")
    assert (event.variant_titles, event.series, event.edition, event.summary) == ((), (), None,
                                                                                 None)
    # Everything v1 had is kept as it was.
    assert (event.title, event.authors, event.isbn, event.title_original) == (
        "The three-body problem", ("Liu, Cixin",), "9787536692930", "三体")


def test_a_v1_title_without_authors_language_or_classes_upcasts_to_empty_lists() -> None:
    # Stored events hold every field of their version (to_data writes them all).
    data = {**V1, "title_id": "t2", "title": "无名", "authors": [], "language": None,
            "clc_class": None, "other_classes": None}
    event = from_data("title.catalogued", upcast("title.catalogued", 1, data))
    assert isinstance(event, TitleCatalogued)
    assert (event.names, event.classes, event.languages, event.language) == ((), (), (), None)


def test_a_v2_title_is_read_as_stored() -> None:
    data = {**V1, "names": [{"name": "刘慈欣", "role": "author", "kind": "personal",
                             "original": None}], "format": "sound_recording", "nonfiling": 4,
            "sort_title": "three-body problem", "languages": ["chi", "eng"],
            "classes": [], "variant_titles": [], "series": [], "edition": None, "pages": None,
            "summary": None, "publisher_original": None}
    event = from_data("title.catalogued", upcast("title.catalogued", 2, data))
    assert isinstance(event, TitleCatalogued)
    assert event.format is TitleFormat.SOUND_RECORDING
    assert event.names[0]["name"] == "刘慈欣" and event.languages == ("chi", "eng")
