"""Old event shapes are upcast on read by the real upcasters; the stored row is never rewritten.

Rows are written by hand, the way an older release wrote them, on every configured back end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from events import PendingEvent
from events.codec import EventShapeError
from events.engine import make_engine, write_connection
from events.loans import LoanRenewed
from events.schema import event_streams, events
from events.sqlalchemy_store import SqlEventStore

# A renewal as the first release stored it: before branch, reader category and class existed.
RENEWED_V1 = {
    "loan_id": "L1", "barcode": "B1", "reader_id": "R1", "title_id": "T1",
    "renewed_at": "2024-05-01T02:00:00+00:00", "due_on": "2024-06-01",
    "previous_due_on": "2024-05-15", "renewals_used": 1,
}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def insert_raw(engine: Engine, schema_version: int, data: dict[str, Any]) -> int:
    """Write a row the way an older release did, bypassing the codec."""
    with write_connection(engine) as conn, conn.begin():
        position = conn.scalar(insert(events).returning(events.c.position).values(
            event_id=str(uuid.uuid4()), stream_id="copy-B1", version=1, type="loan.renewed",
            schema_version=schema_version, data=data, meta={"actor": "staff:old"},
            recorded_at=datetime(2024, 5, 1, 2, tzinfo=UTC)))
        conn.execute(insert(event_streams).values(stream_id="copy-B1", version=1,
                                                  position=position))
    return int(position)


def test_a_stored_v1_renewal_reads_back_as_the_v2_class(engine: Engine) -> None:
    insert_raw(engine, 1, RENEWED_V1)
    store = SqlEventStore(engine)
    (stored,) = store.load(["copy-B1"]).events
    assert stored.event == LoanRenewed(
        loan_id="L1", barcode="B1", reader_id="R1", title_id="T1",
        renewed_at=datetime(2024, 5, 1, 2, tzinfo=UTC), due_on=date(2024, 6, 1),
        previous_due_on=date(2024, 5, 15), renewals_used=1,
        branch="", reader_category="", clc_class=None)
    assert stored.schema_version == 1  # the envelope still says what is on disk
    assert [e.event for e in store.read_all()] == [stored.event]


def test_upcasting_on_read_leaves_the_stored_row_untouched(engine: Engine) -> None:
    position = insert_raw(engine, 1, RENEWED_V1)
    SqlEventStore(engine).read_all()
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.position == position)).one()
    assert (row.schema_version, row.data) == (1, RENEWED_V1)


def test_a_new_renewal_is_stored_as_v3_with_every_field(engine: Engine) -> None:
    store = SqlEventStore(engine)
    event = LoanRenewed(
        loan_id="L2", barcode="B2", reader_id="R2", title_id="T2",
        renewed_at=datetime(2026, 3, 1, 8, tzinfo=UTC), due_on=date(2026, 4, 1),
        previous_due_on=date(2026, 3, 15), renewals_used=2,
        branch="main", reader_category="adult", clc_class="I")
    store.append([PendingEvent(event, ("copy-B2",))], expected={}, meta={})
    (stored,) = store.read_all()
    assert (stored.schema_version, stored.event) == (3, event)
    with engine.connect() as conn:
        data = conn.scalar(select(events.c.data))
    assert {"branch": "main", "reader_category": "adult", "clc_class": "I"}.items() <= data.items()


def test_a_stored_version_without_an_upcaster_is_refused_rather_than_guessed(
    engine: Engine,
) -> None:
    insert_raw(engine, 0, RENEWED_V1)
    with pytest.raises(LookupError, match=r"no upcaster for loan\.renewed v0"):
        SqlEventStore(engine).read_all()


def test_a_stored_version_newer_than_the_code_is_refused_rather_than_read_as_older(
    engine: Engine,
) -> None:
    insert_raw(engine, 4, {**RENEWED_V1, "branch": "main", "reader_category": "adult",
                           "clc_class": None, "renewed_by": "kiosk-1"})
    with pytest.raises(LookupError, match=r"loan\.renewed v4 is newer than this code knows"):
        SqlEventStore(engine).read_all()


def test_a_stored_row_with_a_field_no_version_has_is_refused_on_read(engine: Engine) -> None:
    insert_raw(engine, 2, {**RENEWED_V1, "branch": "main", "reader_category": "adult",
                           "clc_class": None, "renewed_by": "kiosk-1"})
    with pytest.raises(EventShapeError, match=r"loan\.renewed v3 \(stored as v2\): unknown renewed_by"):
        SqlEventStore(engine).read_all()


def test_a_stored_v2_row_missing_a_field_is_refused_on_read(engine: Engine) -> None:
    # v2 is only ever written whole; a v2 without the branch is a bug, not an old shape.
    insert_raw(engine, 2, {**RENEWED_V1, "reader_category": "adult", "clc_class": None})
    with pytest.raises(EventShapeError, match=r"loan\.renewed v3 \(stored as v2\): missing branch"):
        SqlEventStore(engine).read_all()
