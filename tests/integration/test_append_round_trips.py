"""A PostgreSQL append costs three round trips (BEGIN, one prepared statement, COMMIT),
counted from libpq's own trace of what the client sent."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator

import pytest
from psycopg import pq
from sqlalchemy import Engine

import events.domain  # noqa: F401  (registers every event type the store may decode)
from events import NO_STREAM, PendingEvent
from events.catalogue import TitleCatalogued
from events.engine import make_engine
from events.sqlalchemy_store import SqlEventStore

WARM_UP = 6  # psycopg prepares a statement on its sixth use on a connection


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)  # one traced connection
    yield engine
    engine.dispose()


def sent_messages(engine: Engine, work: Callable[[], object]) -> list[str]:
    """The protocol messages the client sent while ``work`` ran ('Query', 'Parse', ...)."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
    assert raw is not None
    with tempfile.TemporaryFile() as trace:
        raw.pgconn.trace(trace.fileno())
        raw.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            work()
        finally:
            raw.pgconn.untrace()
        trace.seek(0)
        lines = [line.split("\t") for line in trace.read().decode().splitlines()]
    return [line[2].split(" ")[0] for line in lines if len(line) > 2 and line[0] == "F"]


def round_trips(messages: list[str]) -> int:
    # Without pipelining the client waits for the server after every Sync and simple Query.
    return sum(1 for m in messages if m in ("Sync", "Query"))


def title_append(store: SqlEventStore, n: int, key: str | None = None) -> Callable[[], object]:
    event = PendingEvent(TitleCatalogued(f"rt{n}", f"书名 {n}"), (f"title-rt{n}",))
    return lambda: store.append([event], expected={f"title-rt{n}": NO_STREAM}, meta={},
                                idempotency_key=key, result={"n": n} if key else None)


def test_a_pinned_append_is_begin_one_prepared_statement_and_commit(engine: Engine) -> None:
    store = SqlEventStore(engine)
    for n in range(WARM_UP):
        store.append([PendingEvent(TitleCatalogued(f"w{n}", "w"), (f"title-w{n}",))],
                     expected={f"title-w{n}": NO_STREAM}, meta={})
    sent = sent_messages(engine, title_append(store, 1))
    assert round_trips(sent) == 3
    assert sent[0] == "Query" and sent[-1] == "Query"  # BEGIN ... COMMIT
    assert "Parse" not in sent, "the statement is prepared once per connection"


def test_an_append_with_an_idempotency_key_records_it_in_the_same_statement(
    engine: Engine,
) -> None:
    store = SqlEventStore(engine)
    assert round_trips(sent_messages(engine, title_append(store, 2, key="k-2"))) == 3
    replay = store.idempotent_result("k-2")
    assert replay is not None and replay.result == {"n": 2}
    again = store.append([PendingEvent(TitleCatalogued("rt2", "x"), ("title-rt2",))],
                         expected={"title-rt2": NO_STREAM}, meta={}, idempotency_key="k-2")
    assert again.replayed and again.positions == replay.positions
