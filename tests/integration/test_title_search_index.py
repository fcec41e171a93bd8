"""The search index on both back ends: the richer title shape (names with 880 originals,
series, variant titles, classes), updates, and a rebuild that leaves search working."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from events.catalogue import TitleCatalogued, TitleUpdated
from events.store import PendingEvent
from projections.catalogue import Catalogue, titles
from projections.runner import rebuild
from projections.title_query import TitleFilters, search_titles
from projections.title_search import TitleSearch, build_row, search
from service.application import catalogue
from service.bootstrap import Lector
from tests.integration.test_circulation_races import DESK_A

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def put(lector: Lector, title_id: str, data: dict[str, Any]) -> None:
    """A title in the shape the MARC import will write (names, series, classes, ...)."""
    with lector.engine.begin() as conn:
        conn.execute(titles.insert(), {
            "title_id": title_id, "title": data["title"], "authors": [], "subjects": [],
            "source_keys": [], "catalogued_at": NOW, "search_text": ""})
        conn.execute(search.insert(), build_row(title_id, data, []))


def found(lector: Lector, q: str, **filters: Any) -> list[str]:
    with lector.engine.connect() as conn:
        result = search_titles(conn, q=q, filters=TitleFilters(**filters))
    return [r["title_id"] for r in result.rows]


def test_names_in_every_script_series_variant_titles_and_classes_are_searched(
    lector: Lector,
) -> None:
    put(lector, "hb", {
        "title": "Shirim", "variant_titles": ["Poems"], "series": ["Sifriyat Poalim ; 12"],
        "names": [{"name": "Amichai, Yehuda", "role": "author", "kind": "person",
                   "original": "עמיחי, יהודה"}],
        "classes": [{"scheme": "clc", "value": "I382.25"}], "languages": ["heb"],
        "format": "book", "year": 1977, "publisher_original": "ספרית פועלים"})
    put(lector, "ru", {"title": "Война и мир", "names": [
        {"name": "Tolstoĭ, Lev", "original": "Толстой, Лев"}], "format": "book"})
    assert found(lector, "עמיחי") == ["hb"]
    assert found(lector, "amichai yehuda") == ["hb"]
    assert found(lector, "poems") == ["hb"]
    assert found(lector, "Sifriyat Poalim") == ["hb"]
    assert found(lector, "ספרית") == ["hb"]
    assert found(lector, "I382.25") == ["hb"]
    assert found(lector, "толстой") == ["ru"]
    assert found(lector, "tolstoi") == ["ru"]
    assert found(lector, "", cls="I", language="heb", format="book") == ["hb"]


def test_an_updated_title_is_found_by_its_new_words_only(lector: Lector) -> None:
    cmd = catalogue.CatalogueTitle(title="三体", authors=("刘慈欣",), title_id="t1")
    catalogue.catalogue_title(lector.ports, DESK_A, cmd, None)
    catalogue.update_title(lector.ports, DESK_A, "t1", {"title": "球状闪电"}, None)
    assert found(lector, "球状闪电") == ["t1"]
    assert found(lector, "qiuzhuang") == ["t1"]
    assert found(lector, "三体") == []
    assert found(lector, "liucixin") == ["t1"]


def test_search_works_the_same_after_the_projection_is_rebuilt(lector: Lector) -> None:
    events = [TitleCatalogued(f"t{n}", f"中国国际关系 第{n}卷", publisher="世界知识出版社")
              for n in range(5)] + [TitleUpdated("t3", {"title": "Dvořák"})]
    lector.store.append([PendingEvent(e, (f"title-{e.title_id}",)) for e in events],
                        expected={}, meta={"actor": "staff:test", "channel": "api"})
    rebuild(lector.engine, lector.store, Catalogue())  # the rows a search answers with
    rebuild(lector.engine, lector.store, TitleSearch())
    assert sorted(found(lector, "zggj")) == ["t0", "t1", "t2", "t4"]
    assert found(lector, "dvorak") == ["t3"]
    rebuild(lector.engine, lector.store, TitleSearch())
    assert sorted(found(lector, "世界知识")) == ["t0", "t1", "t2", "t3", "t4"]


def test_titles_catalogued_and_changed_after_a_rebuild_are_found(lector: Lector) -> None:
    # The rebuilt table replaces the live one: the database's search machinery (PostgreSQL's
    # generated document, SQLite's FTS triggers) must come with it, or later titles are lost.
    catalogue.catalogue_title(lector.ports, DESK_A, catalogue.CatalogueTitle(
        title="三体", authors=("刘慈欣",), title_id="t1"), None)
    rebuild(lector.engine, lector.store, TitleSearch())
    catalogue.catalogue_title(lector.ports, DESK_A, catalogue.CatalogueTitle(
        title="Symphony no. 9", authors=("Dvořák, Antonín",), title_id="t2"), None)
    catalogue.update_title(lector.ports, DESK_A, "t1", {"title": "球状闪电"}, None)
    assert found(lector, "dvorak") == ["t2"]
    assert found(lector, "qiuzhuang") == ["t1"]
    assert found(lector, "三体") == []
    rebuild(lector.engine, lector.store, TitleSearch())
    assert found(lector, "dvorak") == ["t2"] and found(lector, "球状闪电") == ["t1"]
