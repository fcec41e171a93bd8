"""Position order is commit order on PostgreSQL: a tailing reader never skips an event."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, select

import events.domain  # registers every event type the store may decode)
from events import NO_STREAM, PendingEvent
from events.catalogue import TitleCatalogued
from events.codec import to_data
from events.engine import make_engine, write_connection
from events.schema import events
from events.sqlalchemy_store import SqlEventStore

APPENDERS = 16
APPENDS_EACH = 25


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    # One pooled connection per appender thread plus the tailer, so nobody waits for the pool.
    engine = make_engine(postgres_url, pool_size=APPENDERS + 4, max_overflow=4)
    yield engine
    engine.dispose()


def title(thread: int, n: int) -> PendingEvent:
    tid = f"t{thread}-{n}"
    return PendingEvent(TitleCatalogued(tid, f"书名 {tid}"), (f"title-{tid}",))


def test_a_tailing_reader_sees_every_event_once_in_position_order_under_scrambled_commits(
    engine: Engine,
) -> None:
    store = SqlEventStore(engine)
    start = threading.Barrier(APPENDERS + 1)
    writers_done = threading.Event()
    errors: list[BaseException] = []
    seen: list[int] = []
    batches_read = 0

    def appender(thread: int) -> None:
        rng = random.Random(thread)
        try:
            start.wait()
            for n in range(APPENDS_EACH):
                event = title(thread, n)
                with write_connection(engine) as conn, conn.begin():
                    store.append([event], expected={event.streams[0]: NO_STREAM},
                                 meta={"thread": thread}, conn=conn)
                    # Hold the transaction open a random while, so that commits land in
                    # a different order from positions (appends no longer queue for a lock).
                    time.sleep(rng.uniform(0, 0.008))
        except BaseException as exc:  # surfaced by the main thread
            errors.append(exc)

    def tailer() -> None:
        nonlocal batches_read
        last = 0
        start.wait()
        while True:
            finished = writers_done.is_set()  # read before the batch, so the last read is full
            batch = store.read_all(after=last, limit=10)
            if not finished:
                batches_read += 1
            for stored in batch:
                seen.append(stored.position)
                last = stored.position
            if finished and not batch:
                return

    threads = [threading.Thread(target=appender, args=(i,)) for i in range(APPENDERS)]
    tail = threading.Thread(target=tailer)
    for t in [*threads, tail]:
        t.start()
    for t in threads:
        t.join(timeout=120)
    writers_done.set()
    tail.join(timeout=120)

    assert errors == []
    with engine.connect() as conn:
        in_table = list(conn.scalars(select(events.c.position).order_by(events.c.position)))
    assert len(in_table) == APPENDERS * APPENDS_EACH
    assert len(seen) == len(set(seen)), "an event was delivered twice"
    assert seen == sorted(seen), "positions went backwards"
    assert set(in_table) - set(seen) == set(), "the tailer skipped committed positions"
    assert batches_read > APPENDERS, "the tailer should have read while writers were busy"


def raw_row(tid: str) -> dict[str, object]:
    event = TitleCatalogued(tid, tid)
    return {"event_id": str(uuid.uuid4()), "stream_id": f"title-{tid}", "version": 1,
            "type": event.type_name, "schema_version": event.schema_version,
            "data": to_data(event), "meta": {},
            "recorded_at": datetime.now(UTC)}


def test_without_the_append_lock_a_plain_sequence_lets_a_tailer_skip_an_event(
    engine: Engine,
) -> None:
    # The hazard the lock exists for: two inserts that bypass the store commit in the
    # opposite order from the positions the sequence gave them.
    store = SqlEventStore(engine)
    first = write_connection(engine)
    second = write_connection(engine)
    try:
        with first.begin():
            early = first.execute(insert(events).values(raw_row("early"))).inserted_primary_key[0]
            with second.begin():
                late = second.execute(insert(events).values(raw_row("late"))).inserted_primary_key[0]
            tail_saw = [e.position for e in store.read_all(after=0)]
        after_both = [e.position for e in store.read_all(after=max(tail_saw))]
    finally:
        first.close()
        second.close()
    assert early < late
    assert tail_saw == [late]
    assert after_both == [], "a tailer that reached the later position never sees the earlier one"
    assert [e.position for e in store.read_all(after=0)] == [early, late]


def append_in_thread(store: SqlEventStore, event: PendingEvent) -> tuple[threading.Thread,
                                                                           dict[str, int]]:
    got: dict[str, int] = {}

    def run() -> None:
        got["position"] = store.append([event], expected={event.streams[0]: NO_STREAM},
                                       meta={}).last_position

    thread = threading.Thread(target=run)
    thread.start()
    return thread, got


def test_an_append_held_open_after_drawing_its_position_keeps_every_reader_below_it(
    engine: Engine,
) -> None:
    # Marker discussion #4953: a high-water mark that moves past a position reserved by a
    # transaction still in flight skips that event for good.
    store = SqlEventStore(engine)
    store.append([title(0, 0)], expected={"title-t0-0": NO_STREAM}, meta={})
    held = write_connection(engine)
    try:
        with held.begin():
            early = store.append([title(1, 0)], expected={"title-t1-0": NO_STREAM}, meta={},
                                 conn=held).last_position
            later = []
            for n in range(3):  # later appends commit while the early one is open
                thread, got = append_in_thread(store, title(2, n))
                thread.join(timeout=10)
                assert not thread.is_alive(), "an append must not wait for another to commit"
                later.append(got["position"])
            bound_while_open = store.safe_position()
            read_while_open = [e.position for e in store.read_all(after=0)]
            with_until = [e.position for e in store.read_all(after=0, until=bound_while_open)]
        after_commit = [e.position for e in store.read_all(after=0)]
    finally:
        held.close()
    assert min(later) > early
    assert bound_while_open == early - 1
    assert read_while_open == with_until == [early - 1], "no reader passes the open append"
    assert after_commit == [early - 1, early, *later]


def test_a_rolled_back_append_leaves_a_gap_readers_pass_without_waiting(engine: Engine) -> None:
    store = SqlEventStore(engine)
    conn = write_connection(engine)
    try:
        with conn.begin() as trans:
            lost = store.append([title(1, 0)], expected={"title-t1-0": NO_STREAM}, meta={},
                                conn=conn).last_position
            trans.rollback()
    finally:
        conn.close()
    kept = store.append([title(2, 0)], expected={"title-t2-0": NO_STREAM}, meta={}).last_position
    assert kept > lost
    assert store.safe_position() == kept
    assert [e.position for e in store.read_all(after=0)] == [kept]


def test_while_a_caller_holds_the_append_lock_other_appends_wait_for_it(engine: Engine) -> None:
    # lock_for_append still excludes every append (the command path decides under it after a
    # lost race); appends themselves take it shared and never queue behind each other.
    store = SqlEventStore(engine)
    holder = write_connection(engine)
    try:
        with holder.begin():
            store.lock_for_append(holder)
            first = store.append([title(1, 0)], expected={"title-t1-0": NO_STREAM}, meta={},
                                 conn=holder).last_position
            thread, got = append_in_thread(store, title(2, 0))
            thread.join(timeout=0.5)
            blocked_while_held = thread.is_alive()
        thread.join(timeout=30)
    finally:
        holder.close()
    assert blocked_while_held, "an append must queue behind the exclusive append lock"
    assert first < got["position"]
