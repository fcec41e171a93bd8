"""One contract, every store: memory twin, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from events import ANY, NO_STREAM, ConcurrencyError, PendingEvent, UnstorableEvent
from events.catalogue import TitleCatalogued
from events.engine import make_engine
from events.memory_store import MemoryEventStore
from events.readers import ReaderRegistered, ReaderUpdated
from events.sqlalchemy_store import SqlEventStore
from tests.conftest import BACKENDS, _factory


@pytest.fixture(params=["memory", *BACKENDS])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryEventStore()
        return
    factory = _factory(request, request.param)
    url = factory.new()
    engine = make_engine(url)
    yield SqlEventStore(engine)
    engine.dispose()
    factory.drop(url)


def title(n: int) -> PendingEvent:
    return PendingEvent(TitleCatalogued(f"t{n}", f"书名 {n}"), (f"title-t{n}",))


def reader(rid: str, card: str) -> PendingEvent:
    event = ReaderRegistered(rid, card, "王小明", "adult", phone="13800138000",
                             email="xm@example.cn", id_number="110101199003074514")
    return PendingEvent(event, (f"reader-{rid}", f"card-{card}"))


def test_an_appended_event_reads_back_equal_with_its_position_and_version(store: Any) -> None:
    result = store.append([title(1)], expected={"title-t1": NO_STREAM}, meta={"actor": "a"})
    loaded = store.load(["title-t1"])
    assert result.positions == (1,)
    assert loaded.version("title-t1") == 1
    assert loaded.events[0].event == TitleCatalogued("t1", "书名 1")
    assert loaded.events[0].meta == {"actor": "a"}


def test_an_append_over_several_streams_is_all_or_nothing(store: Any) -> None:
    store.append([title(1)], expected={"title-t1": NO_STREAM}, meta={})
    with pytest.raises(ConcurrencyError):
        store.append([title(2), title(3)],
                     expected={"title-t2": NO_STREAM, "title-t1": NO_STREAM}, meta={})
    assert store.last_position() == 1
    assert store.load(["title-t2", "title-t3"]).events == []


def test_a_stale_expected_version_is_a_typed_conflict(store: Any) -> None:
    store.append([title(1)], expected={"title-t1": NO_STREAM}, meta={})
    with pytest.raises(ConcurrencyError) as info:
        store.append([title(1)], expected={"title-t1": NO_STREAM}, meta={})
    assert (info.value.stream_id, info.value.expected, info.value.actual) == ("title-t1", 0, 1)


def test_an_event_in_two_streams_advances_both_and_is_read_once(store: Any) -> None:
    store.append([reader("r1", "C1")], expected={}, meta={})
    loaded = store.load(["reader-r1", "card-C1"])
    assert loaded.versions == {"reader-r1": 1, "card-C1": 1}
    assert len(loaded.events) == 1


def test_a_repeated_idempotency_key_returns_the_first_result_and_appends_nothing(store: Any) -> None:
    first = store.append([title(1)], expected={}, meta={}, idempotency_key="k1",
                         result={"title_id": "t1"})
    again = store.append([title(2)], expected={}, meta={}, idempotency_key="k1",
                         result={"title_id": "t2"})
    assert again.replayed and not first.replayed
    assert again.result == {"title_id": "t1"}
    assert again.positions == first.positions
    assert store.last_position() == 1


def test_a_repeated_key_replays_the_fingerprint_of_the_first_request(store: Any) -> None:
    store.append([title(1)], expected={}, meta={}, idempotency_key="k1", fingerprint="f1")
    again = store.append([title(2)], expected={}, meta={}, idempotency_key="k1",
                         fingerprint="f2")
    assert again.replayed and again.fingerprint == "f1"
    assert store.idempotent_result("k1").fingerprint == "f1"
    assert store.last_position() == 1


def test_read_all_pages_through_the_log_in_position_order(store: Any) -> None:
    for n in range(1, 8):
        store.append([title(n)], expected={f"title-t{n}": NO_STREAM}, meta={})
    seen = [e.position for e in store.iter_all(after=0, chunk=3)]
    assert seen == list(range(1, 8))
    assert [e.position for e in store.read_all(after=5)] == [6, 7]


def test_an_append_may_expect_a_stream_it_only_read_to_be_still_empty(store: Any) -> None:
    """Linking a guardian reads the guardian's own (maybe empty) stream and expects it."""
    done = store.append([title(1)], expected={"title-t1": NO_STREAM, "other-x": NO_STREAM},
                        meta={}, idempotency_key="k-empty", result={"ok": True})
    assert done.stream_versions["other-x"] == 0
    store.append([reader("r1", "C1")], expected={"other-x": NO_STREAM}, meta={})
    assert store.load(["title-t1"]).version("title-t1") == 1


def test_an_expected_version_of_any_skips_the_check(store: Any) -> None:
    store.append([title(1)], expected={}, meta={})
    store.append([title(1)], expected={"title-t1": ANY}, meta={})
    assert store.load(["title-t1"]).version("title-t1") == 2


def test_personal_fields_read_back_in_clear_until_the_key_is_erased(store: Any) -> None:
    store.append([reader("r1", "C1")], expected={}, meta={})
    before = store.load(["reader-r1"]).events[0]
    assert before.event.name == "王小明" and before.erased_fields == frozenset()
    assert store.erase_subject("r1")
    after = store.load(["reader-r1"]).events[0]
    assert after.event.name is None and after.event.phone is None
    assert after.event.card_number == "C1" and after.event.category == "adult"
    assert after.erased_fields == {"name", "phone", "email", "id_number"}


def test_an_erased_subject_never_gets_a_new_key(store: Any) -> None:
    store.append([reader("r1", "C1")], expected={}, meta={})
    assert store.erase_subject("r1")
    later = ReaderUpdated(reader_id="r1", changed=("name",), name="王小明")
    store.append([PendingEvent(later, ("reader-r1",))], expected={}, meta={})
    events_ = store.load(["reader-r1"]).events
    assert [e.event.name for e in events_] == [None, None]
    assert not store.erase_subject("r1")  # nothing left to delete


def test_concurrent_appenders_to_one_stream_get_exactly_one_winner_per_version(store: Any) -> None:
    winners: list[int] = []
    losers: list[int] = []
    barrier = threading.Barrier(8)

    def contend(n: int) -> None:
        barrier.wait()
        try:
            store.append([title(0)], expected={"title-t0": NO_STREAM}, meta={"n": n})
            winners.append(n)
        except ConcurrencyError:
            losers.append(n)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(losers) == 7
    assert store.load(["title-t0"]).version("title-t0") == 1


def test_no_plaintext_personal_data_is_stored_in_the_events_table(database_url: str) -> None:
    engine = make_engine(database_url)
    SqlEventStore(engine).append([reader("r9", "C9")], expected={}, meta={})
    with engine.connect() as conn:
        raw = " ".join(str(r) for r in conn.execute(text("SELECT data, meta FROM events")))
    engine.dispose()
    for secret in ("王小明", "13800138000", "xm@example.cn", "110101199003074514"):
        assert secret not in raw
    assert "C9" in raw  # the card number is an identifier, not erasable personal data


def test_the_database_refuses_to_update_or_delete_events(database_url: str) -> None:
    engine = make_engine(database_url)
    SqlEventStore(engine).append([title(1)], expected={}, meta={})
    for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events",
                      "DELETE FROM event_streams"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT type FROM events")).scalar_one() == "title.catalogued"
    engine.dispose()


UNSTORABLE_TEXTS = ["hello\u0000", "\ud800lone", "bell\u0007", "non\uffff"]


@pytest.mark.parametrize("bad", UNSTORABLE_TEXTS)
def test_an_event_with_unstorable_text_is_refused_and_nothing_of_its_append_is_kept(
    store: Any, bad: str
) -> None:
    store.append([title(1)], expected={}, meta={})
    with pytest.raises(UnstorableEvent) as info:
        store.append([title(2), PendingEvent(TitleCatalogued("t3", bad), ("title-t3",))],
                     expected={}, meta={"actor": "a"}, idempotency_key="k-bad")
    assert (info.value.event_type, info.value.field) == ("title.catalogued", "data.title")
    assert store.last_position() == 1
    assert store.load(["title-t2", "title-t3"]).events == []
    assert store.idempotent_result("k-bad") is None
    assert [e.position for e in store.read_all()] == [1]


def test_unstorable_text_in_a_personal_field_is_refused_before_it_is_encrypted(store: Any) -> None:
    event = ReaderRegistered("r1", "C1", "王\u0000小明", "adult")
    with pytest.raises(UnstorableEvent) as info:
        store.append([PendingEvent(event, ("reader-r1",))], expected={}, meta={})
    assert info.value.field == "data.name"
    assert store.last_position() == 0


@pytest.mark.parametrize("part", ["meta", "stream", "key"])
def test_unstorable_text_in_meta_stream_or_key_is_refused(store: Any, part: str) -> None:
    pending = PendingEvent(TitleCatalogued("t1", "书"), ("title-t1\u0000" if part == "stream"
                                                        else "title-t1",))
    with pytest.raises(UnstorableEvent):
        store.append([pending], expected={},
                     meta={"actor": "a\u0000"} if part == "meta" else {},
                     idempotency_key="k\ud800" if part == "key" else None)
    assert store.last_position() == 0


def test_tabs_newlines_and_any_other_text_are_stored_as_given(store: Any) -> None:
    odd = "行一\n\tline two\r\n😀 \u00a0\u200b\u007f\ufffd"
    store.append([PendingEvent(TitleCatalogued("t1", odd), ("title-t1",))], expected={}, meta={})
    assert store.load(["title-t1"]).events[0].event == TitleCatalogued("t1", odd)


def test_reading_rare_types_in_batches_finds_every_one_in_order_across_a_long_log(
        store: Any) -> None:
    # A few updates scattered through many catalogue events: the typed read goes through the
    # log in bounded windows, so batches must still come back full, in order, none missed.
    pending = []
    for n in range(20_000):
        pending.append(title(n))
        if n % 1_777 == 5:
            pending.append(reader(f"r{n}", f"C{n}"))
    for start in range(0, len(pending), 2_000):
        store.append(pending[start:start + 2_000], expected={}, meta={})
    rare, after = [], 0
    while batch := store.read_all(after, 3, types=["reader.registered"]):
        assert len(batch) == 3 or len(rare) + len(batch) == 12
        rare.extend(batch)
        after = batch[-1].position
    assert [e.event.reader_id for e in rare] == [f"r{n}" for n in range(20_000)
                                                  if n % 1_777 == 5]
    assert [e.position for e in rare] == sorted(e.position for e in rare)
