"""A rebuild folds beside the live tables and swaps: queries never see a half-built read model."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from events import PendingEvent
from events.catalogue import TitleCatalogued
from projections.catalogue import Catalogue, list_titles, titles
from projections.failures import stuck_in
from projections.rebuilding import RebuildFailed, RebuildSuperseded
from projections.runner import catch_up, checkpoint, rebuild
from projections.schema import generations
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.integration.test_projection_rebuild_property import snapshot

OLD, NEW = 3000, 1000  # titles folded before the rebuild, and titles appended after


def catalogue_titles(lector: Lector, start: int, count: int) -> int:
    """Append ``count`` titles straight through the store; return the head."""
    for first in range(start, start + count, 500):
        lector.store.append(
            [PendingEvent(TitleCatalogued(f"t{i:05d}", f"书名 {i}", ("刘慈欣",)), (f"title-t{i}",))
             for i in range(first, min(first + 500, start + count))],
            expected={}, meta={"actor": "system:bulk"})
    return lector.store.last_position()


@pytest.fixture
def library(lector: Lector) -> Lector:
    """OLD titles folded into the live catalogue, then NEW more in the log not yet folded."""
    catalogue_titles(lector, 0, OLD)
    catch_up(lector.engine, lector.store, Catalogue())
    catalogue_titles(lector, OLD, NEW)
    return lector


def total(lector: Lector) -> int:
    with lector.engine.connect() as conn:
        return list_titles(conn, limit=1)[1]


def build_tables_left(lector: Lector) -> list[str]:
    return [n for n in inspect(lector.engine).get_table_names() if "__g" in n]


def test_queries_during_a_rebuild_see_the_old_catalogue_or_the_new_one_never_a_part(
    library: Lector,
) -> None:
    seen: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            seen.append(total(library))

    reader = threading.Thread(target=keep_asking)
    reader.start()
    try:
        reached = rebuild(library.engine, library.store, Catalogue(), batch=100)
    finally:
        stop.set()
        reader.join()
    assert reached == library.store.last_position()
    assert set(seen) <= {OLD, OLD + NEW}, sorted(set(seen))[:5]
    assert seen.count(OLD) >= 10  # the reader was asking all through the rebuild
    assert total(library) == OLD + NEW
    assert build_tables_left(library) == []
    with library.engine.connect() as conn:
        assert checkpoint(conn, "catalogue") == reached
        assert conn.execute(select(generations.c.generation, generations.c.building)
                            .where(generations.c.name == "catalogue")).one() == (1, None)


def test_a_rebuild_takes_in_what_the_live_generation_folded_meanwhile_and_equals_it(
    library: Lector,
) -> None:
    catch_up(library.engine, library.store, Catalogue())
    incremental = snapshot(library.engine)
    shown: list[tuple[int, int]] = []
    for _ in range(2):  # generation 1, then 2 (its index names must not collide with 1's)
        rebuild(library.engine, library.store, Catalogue(), batch=700,
                progress=lambda reached, last: shown.append((reached, last)))
    assert snapshot(library.engine) == incremental
    head = library.store.last_position()
    assert shown[-1] == (head, head) and len(shown) > 5
    with library.engine.connect() as conn:
        assert list_titles(conn, q="书名 3999")[1] == 1  # indexes and search still work


def test_what_arrives_during_a_rebuild_is_folded_into_the_generation_that_goes_live(
    library: Lector,
) -> None:
    catch_up(library.engine, library.store, Catalogue())
    live: list[dict[str, Any]] = []

    def meanwhile(reached: int, last: int) -> None:
        if not live:  # commands go on during the rebuild, and the live catalogue folds them
            catalogue_titles(library, OLD + NEW, 50)
            catch_up(library.engine, library.store, Catalogue())
            live.append(snapshot(library.engine))

    reached = rebuild(library.engine, library.store, Catalogue(), batch=500, progress=meanwhile)
    assert reached == library.store.last_position()
    assert total(library) == OLD + NEW + 50
    assert snapshot(library.engine) == live[0]


def test_a_rebuild_whose_fold_fails_leaves_the_live_catalogue_answering_and_says_why(
    library: Lector, monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Catalogue._handlers[TitleCatalogued]

    def broken(self: Any, conn: Any, event: Any, stored: Any) -> None:
        if event.title_id == "t02500":
            raise RuntimeError("simulated bug in a new version of the catalogue")
        original(self, conn, event, stored)

    monkeypatch.setitem(Catalogue._handlers, TitleCatalogued, broken)
    with library.engine.connect() as conn:
        before = checkpoint(conn, "catalogue")
    with pytest.raises(RebuildFailed, match="simulated bug") as failed:
        rebuild(library.engine, library.store, Catalogue(), batch=200)
    assert failed.value.failed.event_type == "title.catalogued"
    assert total(library) == OLD  # the live generation, as it was
    assert build_tables_left(library) == []
    assert stuck_in(library.engine) == {}  # the live projection is not stuck: it never failed
    with library.engine.connect() as conn:
        assert checkpoint(conn, "catalogue") == before

    monkeypatch.setitem(Catalogue._handlers, TitleCatalogued, original)
    rebuild(library.engine, library.store, Catalogue(), batch=200)
    assert total(library) == OLD + NEW


class Killed(BaseException):
    """The process dying mid-rebuild: nothing after this point runs, no cleanup either."""


def test_a_rebuild_killed_midway_leaves_the_live_tables_and_the_next_rebuild_succeeds(
    library: Lector, monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Catalogue._handlers[TitleCatalogued]

    def dies(self: Any, conn: Any, event: Any, stored: Any) -> None:
        if event.title_id == "t01800":
            raise Killed()
        original(self, conn, event, stored)

    monkeypatch.setitem(Catalogue._handlers, TitleCatalogued, dies)
    with pytest.raises(Killed):
        rebuild(library.engine, library.store, Catalogue(), batch=300)
    assert build_tables_left(library) != []  # what the dead process left behind
    assert total(library) == OLD

    monkeypatch.setitem(Catalogue._handlers, TitleCatalogued, original)
    catch_up(library.engine, library.store, Catalogue())  # the live one goes on meanwhile
    incremental = snapshot(library.engine)
    rebuild(library.engine, library.store, Catalogue(), batch=300)
    assert snapshot(library.engine) == incremental
    assert build_tables_left(library) == []
    with library.engine.connect() as conn:
        assert conn.scalar(select(generations.c.generation)
                           .where(generations.c.name == "catalogue")) == 2


def test_of_two_rebuilds_of_one_projection_at_once_the_later_one_goes_live(
    library: Lector,
) -> None:
    later: list[int] = []

    def another_operator_starts_one(reached: int, last: int) -> None:
        if not later:
            later.append(rebuild(library.engine, library.store, Catalogue(), batch=1000))

    with pytest.raises(RebuildSuperseded):
        rebuild(library.engine, library.store, Catalogue(), batch=1000,
                progress=another_operator_starts_one)
    assert total(library) == OLD + NEW
    assert build_tables_left(library) == []
    with library.engine.connect() as conn:
        assert checkpoint(conn, "catalogue") == later[0] == library.store.last_position()
        assert conn.execute(select(generations.c.generation, generations.c.building)
                            .where(generations.c.name == "catalogue")).one() == (2, None)


def test_on_postgresql_a_long_reader_delays_the_swap_but_never_stalls_other_queries(
    postgres_url: str, tmp_path: Any,
) -> None:
    lector = bootstrap(Config(database_url=postgres_url, secret_key="s", instance_dir=tmp_path,
                              testing=True))
    try:
        catalogue_titles(lector, 0, OLD)
        catch_up(lector.engine, lector.store, Catalogue())
        catalogue_titles(lector, OLD, NEW)
        with lector.engine.connect() as export:  # a long export reads the live titles
            export.execute(select(func.count()).select_from(titles))
            worker = threading.Thread(
                target=rebuild, args=(lector.engine, lector.store, Catalogue()),
                kwargs={"batch": 1000})
            worker.start()
            slowest, started = 0.0, time.monotonic()
            while time.monotonic() - started < 6:
                asked = time.monotonic()
                with lector.engine.connect() as conn:  # fail, not hang, if it is stalled
                    conn.exec_driver_sql("SET statement_timeout = '5s'")
                    assert list_titles(conn, limit=1)[1] == OLD  # the export holds the old
                slowest = max(slowest, time.monotonic() - asked)
            assert worker.is_alive()  # waiting for the export, and letting queries through
            export.rollback()
        worker.join(30)
        assert not worker.is_alive() and total(lector) == OLD + NEW
        assert slowest < 2.5, slowest  # at most one lock wait of the swap (1 s), plus noise
    finally:
        lector.dispose()
