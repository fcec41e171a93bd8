"""Old event shapes are upcast on read; the stored row is never rewritten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from events import PendingEvent, base, codec
from events.base import Event
from events.codec import upcaster
from events.engine import make_engine, write_connection
from events.schema import events
from events.sqlalchemy_store import SqlEventStore
from tests.databases import SqliteFactory

TYPE = "test.shelf_label_printed"


@dataclass(frozen=True)
class ShelfLabelPrinted(Event, type_name=TYPE, version=2):
    """v1 had ``text`` only; v2 renamed it to ``label`` and added ``language``."""

    barcode: str
    label: str
    language: str


@upcaster(TYPE, 1)
def _label_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    data["label"] = data.pop("text")
    data["language"] = "zh-CN"  # every v1 label was printed in Chinese
    return data


@pytest.fixture(scope="module", autouse=True)
def _forget_test_type() -> Iterator[None]:
    # The registries are process-wide: leave no test-only type behind for other modules.
    yield
    base._REGISTRY.pop(TYPE, None)
    codec._UPCASTERS.pop((TYPE, 1), None)


@pytest.fixture
def engine(sqlite_factory: SqliteFactory) -> Iterator[Engine]:
    url = sqlite_factory.new()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    sqlite_factory.drop(url)


def insert_raw(engine: Engine, schema_version: int, data: dict[str, Any]) -> int:
    """Write a row the way an older release did, by hand, following the table's schema."""
    with write_connection(engine) as conn, conn.begin():
        position = conn.execute(
            text(
                "INSERT INTO events (event_id, stream_id, version, type, schema_version, data,"
                " meta, recorded_at) VALUES (:id, 'copy-B1', 1, :type, :v, :data, :meta,"
                " '2024-05-01 02:00:00.000000') RETURNING position"
            ),
            {"id": f"old-{schema_version}", "type": TYPE, "v": schema_version,
             "data": json.dumps(data), "meta": json.dumps({"actor": "staff:old"})},
        ).scalar_one()
        conn.execute(
            text("INSERT INTO event_streams (stream_id, version, position) "
                 "VALUES ('copy-B1', 1, :p)"),
            {"p": position},
        )
    return int(position)


def test_a_stored_v1_event_reads_back_as_the_v2_class(engine: Engine) -> None:
    insert_raw(engine, 1, {"barcode": "B1", "text": "I247.5/12"})
    store = SqlEventStore(engine)
    (stored,) = store.load(["copy-B1"]).events
    assert stored.event == ShelfLabelPrinted("B1", "I247.5/12", "zh-CN")
    assert stored.schema_version == 1  # the envelope still says what is on disk
    assert [e.event for e in store.read_all()] == [stored.event]


def test_upcasting_on_read_leaves_the_stored_row_untouched(engine: Engine) -> None:
    position = insert_raw(engine, 1, {"barcode": "B1", "text": "I247.5/12"})
    SqlEventStore(engine).read_all()
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.position == position)).one()
    assert (row.schema_version, row.data) == (1, {"barcode": "B1", "text": "I247.5/12"})


def test_a_new_event_is_stored_as_v2_and_needs_no_upcasting(engine: Engine) -> None:
    store = SqlEventStore(engine)
    event = ShelfLabelPrinted("B2", "K825.6/3", "en")
    store.append([PendingEvent(event, ("copy-B2",))], expected={}, meta={})
    (stored,) = store.read_all()
    assert (stored.schema_version, stored.event) == (2, event)


def test_a_stored_version_without_an_upcaster_is_refused_rather_than_guessed(
    engine: Engine,
) -> None:
    insert_raw(engine, 0, {"barcode": "B1"})
    with pytest.raises(LookupError, match=r"no upcaster for test\.shelf_label_printed v0"):
        SqlEventStore(engine).read_all()
