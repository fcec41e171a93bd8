"""Activities and surveys under real concurrency, on PostgreSQL and SQLite: 50 readers signing
up at once never seat more than the capacity (the activity stream's version guards it; lost
races are retried by execute.run), cancellations racing each other promote the waiting list
in order, and a reader's two answers at once to one survey give one answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from events.engagement import (
    ActivityPublished,
    ActivitySignedUp,
    ActivitySignUpCancelled,
    ActivityWaiterPromoted,
    SurveyAnswered,
)
from events.store import StoredEvent
from service.application import engagement
from service.application.context import Actor, Principal
from service.application.execute import Outcome
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.integration.test_circulation_races import (
    DESK_A,
    START,
    Conflicts,
    MovableClock,
    _url_for,
    add_readers,
    assert_rebuild_equals_incremental,
    codes,
    log,
    race,
)


@pytest.fixture(params=["postgres", "sqlite"])
def arena(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lector]:
    """Ports on a fresh database; projections are caught up by the tests, not after commit."""
    lector = bootstrap(Config(database_url=_url_for(request, request.param), secret_key="t",
                              instance_dir=tmp_path), after_commit=lambda position: None)
    lector.ports.clock = MovableClock(START)
    conflicts = Conflicts(lector)
    yield lector
    print(f"[{request.param}] {request.node.name}: {conflicts.count} append conflicts retried")
    lector.dispose()


def reader(card: str) -> Actor:
    return Actor(Principal("reader", f"r-{card}", "reader", f"r-{card}"), "portal")


def audit_seats(events_: list[StoredEvent]) -> dict[str, list[str]]:
    """Replay the activity events in log order; fail if a seat count ever passes capacity or
    a freed seat skips the head of the waiting list. Returns each activity's seated readers."""
    capacity: dict[str, int] = {}
    seated: dict[str, list[str]] = {}
    waiting: dict[str, list[str]] = {}
    for stored in events_:
        e, where = stored.event, f"position {stored.position}"
        if isinstance(e, ActivityPublished):
            capacity[e.activity_id] = e.capacity
            seated[e.activity_id], waiting[e.activity_id] = [], []
        elif isinstance(e, ActivitySignedUp):
            (seated if e.seated else waiting)[e.activity_id].append(e.reader_id)
            if not e.seated:
                assert len(seated[e.activity_id]) == capacity[e.activity_id], f"{where}: waits"
        elif isinstance(e, ActivitySignUpCancelled):
            for queue in (seated, waiting):
                if e.reader_id in queue[e.activity_id]:
                    queue[e.activity_id].remove(e.reader_id)
        elif isinstance(e, ActivityWaiterPromoted):
            assert waiting[e.activity_id][0] == e.reader_id, f"{where}: promoted out of order"
            waiting[e.activity_id].pop(0)
            seated[e.activity_id].append(e.reader_id)
        if hasattr(e, "activity_id") and e.activity_id in capacity:
            assert len(seated[e.activity_id]) <= capacity[e.activity_id], f"{where}: overbooked"
    return seated


def test_fifty_readers_signing_up_at_once_fill_the_seats_exactly_and_wait_in_order(
        arena: Lector) -> None:
    ports = arena.ports
    cards = add_readers(arena, "S", 50)
    activity = engagement.publish_activity(
        ports, DESK_A, "lecture", "讲座", "Talk", "", "", "main", START + timedelta(days=2),
        START + timedelta(days=2, hours=2), 10, None, None).result["activity_id"]
    results = race(50, lambda i: engagement.sign_up(ports, reader(cards[i]), activity,
                                                    f"r-{cards[i]}", None))
    assert codes(results) == {"ok": 50}
    statuses = [r.result["status"] for r in results if isinstance(r, Outcome)]
    assert statuses.count("seated") == 10 and statuses.count("waiting") == 40
    seated = audit_seats(log(arena))[activity]
    assert len(seated) == 10
    signed = [s.event for s in log(arena, ActivitySignedUp)]
    first_waiting = [e.reader_id for e in signed if not e.seated][:5]

    # five seated readers cancel at once: each freed seat goes to the next one waiting
    leaving = seated[:5]
    cancelled = race(5, lambda i: engagement.cancel_sign_up(ports, reader(leaving[i][2:]),
                                                            activity, leaving[i], None))
    assert codes(cancelled) == {"ok": 5}
    promoted = [s.event.reader_id for s in log(arena, ActivityWaiterPromoted)]
    assert promoted == first_waiting
    assert len(audit_seats(log(arena))[activity]) == 10
    assert_rebuild_equals_incremental(arena)


def test_a_readers_two_answers_at_once_give_one_answer_and_many_readers_all_answer(
        arena: Lector) -> None:
    ports = arena.ports
    cards = add_readers(arena, "Q", 12)
    questions = ({"id": "q1", "type": "nps", "text_zh": "推荐", "text_en": "Recommend"},)
    survey = engagement.create_survey(ports, DESK_A, "调查", "Survey", questions, False, None,
                                      None).result["survey_id"]
    engagement.publish_survey(ports, DESK_A, survey, None)
    twice = race(2, lambda i: engagement.answer_survey(ports, reader(cards[0]), survey,
                                                       f"r-{cards[0]}", {"q1": 9 + i}, None))
    assert codes(twice) == {"ok": 1, "survey_already_answered": 1}
    rest = race(11, lambda i: engagement.answer_survey(ports, reader(cards[i + 1]), survey,
                                                       f"r-{cards[i + 1]}", {"q1": i % 11},
                                                       None))
    assert codes(rest) == {"ok": 11}
    answered: list[Any] = [s.event.reader_id for s in log(arena, SurveyAnswered)]
    assert sorted(answered) == sorted(f"r-{c}" for c in cards)
    assert_rebuild_equals_incremental(arena)
