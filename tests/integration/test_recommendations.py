"""Co-borrowing counts and the nightly recommendations on a small library (both back ends)."""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy import func, select

from events.schema import events
from projections.co_borrowing import (
    CoBorrowing,
    cob_pairs,
    cob_reader_titles,
    cob_titles,
    recommendations,
)
from projections.reading_history import history
from projections.runner import rebuild
from service.application.readers import set_preferences
from service.application.relationships.recommendations import refresh_recommendations
from service.config import Config
from tests.integration.relationships_library import (
    ADMIN,
    SmallLibrary,
    build_small_library,
    fold,
    race_two_schedulers,
)

TABLES = (cob_reader_titles, cob_pairs, cob_titles, recommendations)


@pytest.fixture
def library(config: Config) -> Any:
    lib = build_small_library(config, n_readers=16, days=200)
    yield lib
    lib.lector.dispose()


def _snapshot(lib: SmallLibrary) -> dict[str, list[tuple[Any, ...]]]:
    with lib.lector.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in TABLES}


def test_pair_counts_are_the_keepers_titles_counted_by_reader(library: SmallLibrary) -> None:
    set_preferences(library.lector.ports, ADMIN, library.cards["R002"], None, keep_history=False)
    fold(library)
    with library.lector.engine.connect() as conn:
        had: dict[str, set[str]] = {}
        for reader_id, title_id in conn.execute(select(history.c.reader_id, history.c.title_id)):
            had.setdefault(reader_id, set()).add(title_id)
        pairs = {(a, b): n for a, b, n in conn.execute(select(cob_pairs))}
    expected: dict[tuple[str, str], int] = {}
    for titles in had.values():  # reading_history holds keepers only, like co_borrowing
        for a, b in combinations(sorted(titles), 2):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    assert pairs == expected and pairs
    assert library.cards["R002"] not in had and library.cards["R005"] not in had


def test_co_borrowing_and_lists_built_incrementally_equal_their_rebuild(
        library: SmallLibrary) -> None:
    refresh_recommendations(library.lector.ports, ADMIN, date(2025, 5, 1))
    fold(library)
    set_preferences(library.lector.ports, ADMIN, library.cards["R003"], None, keep_history=False)
    refresh_recommendations(library.lector.ports, ADMIN, date(2025, 6, 1))
    fold(library)
    before = _snapshot(library)
    assert before["rm_recommendations"] and before["rm_cob_pairs"]
    assert library.cards["R003"] not in {r[0] for r in before["rm_recommendations"]}
    rebuild(library.lector.engine, library.lector.store,
            CoBorrowing(library.lector.config.timezone))
    assert _snapshot(library) == before


def test_two_schedulers_racing_the_same_refresh_give_one_result(library: SmallLibrary) -> None:
    outcomes = race_two_schedulers(
        library, lambda ports: refresh_recommendations(ports, ADMIN, date(2025, 7, 1)))
    fold(library)
    assert sorted(o["refreshed"] for o in outcomes) == [False, True]
    with library.lector.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(events).where(
            events.c.type == "recommendations.refreshed")) == 1
        assert conn.scalar(select(func.count(func.distinct(recommendations.c.as_of)))) == 1
