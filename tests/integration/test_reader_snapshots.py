"""Per-stream snapshots of the reader's decision state (events/snapshots.py): a decision
folds snapshot + tail, and that equals the fold of the whole stream; a snapshot of another
schema is ignored and retaken; a stale version is still refused. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from events.readers import ReaderBlocked
from events.schema import stream_snapshots
from events.store import ConcurrencyError, PendingEvent
from events.streams import reader_stream
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.application.readers import reader_from
from service.application.snapshots import reader_snapshots
from service.bootstrap import Lector
from service.domain.errors import DomainError
from service.domain.readers.reader_state import fold_reader

DESK = Actor(Principal("staff", "desk", "desk"), "desk")
READER = "r-snap"
STREAM = reader_stream(READER)
BARCODES = [f"S{n}" for n in range(4)]


def setup(lector: Lector, every: int) -> None:
    lector.store.snapshot_policies[:] = [reader_snapshots(every=every)]
    readers.register_reader(lector.ports, DESK, readers.RegisterReader(
        "C-SNAP", "读者", "adult", reader_id=READER), None)
    catalogue.catalogue_title(lector.ports, DESK, catalogue.CatalogueTitle(
        title="三体", clc_class="I247.5", title_id="t-snap"), None)
    for barcode in BARCODES:
        catalogue.add_copy(lector.ports, DESK, catalogue.AddCopy(barcode, "t-snap", "main"),
                           None)


def step(lector: Lector, action: str, n: int) -> None:
    barcode = BARCODES[n % len(BARCODES)]
    try:
        if action == "out":
            circulation.check_out(lector.ports, DESK, "C-SNAP", barcode, None, None)
        elif action == "in":
            circulation.check_in(lector.ports, DESK, barcode, None, None)
        else:
            circulation.renew(lector.ports, DESK, barcode, None)
    except DomainError:
        pass  # refused (not on loan, limit reached, ...): nothing appended


def both_folds(lector: Lector) -> tuple[Any, Any, Any]:
    """(snapshot + tail, whole stream, the loaded snapshot) inside one transaction."""
    with lector.engine.begin() as conn:
        loaded = lector.store.load([STREAM], conn, snapshots=True)
        whole = lector.store.load([STREAM], conn)
    return reader_from(loaded, READER), fold_reader(whole.events, READER), loaded


ACTIONS = st.lists(st.tuples(st.sampled_from(["out", "in", "renew"]), st.integers(0, 3)),
                   min_size=1, max_size=25)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=ACTIONS, every=st.integers(1, 6))
def test_snapshot_plus_tail_equals_the_fold_of_the_whole_stream(
    lector: Lector, steps: list[tuple[str, int]], every: int,
) -> None:
    if lector.store.last_position() == 0:
        setup(lector, every)
    lector.store.snapshot_policies[:] = [reader_snapshots(every=every)]
    for action, n in steps:
        step(lector, action, n)
        snapped, whole, loaded = both_folds(lector)
        assert snapped == whole
        version = loaded.version(STREAM)
        if version >= every:  # the load itself took one once the tail was long enough
            snapshot = loaded.snapshots[STREAM]
            assert version - snapshot.version < every


def test_a_snapshot_of_another_schema_is_ignored_and_retaken(lector: Lector) -> None:
    setup(lector, every=2)
    for n in range(3):
        step(lector, "out", n)
    snapped, whole, loaded = both_folds(lector)
    assert STREAM in loaded.snapshots and snapped == whole
    with lector.engine.begin() as conn:  # an older shape, with a state that would mislead
        conn.execute(update(stream_snapshots).values(schema=0, state={"bogus": True}))
    snapped, whole, loaded = both_folds(lector)
    assert snapped == whole and len(whole.loans) == 3
    with lector.engine.connect() as conn:
        assert conn.scalar(select(stream_snapshots.c.schema)) == reader_snapshots().schema
    lector.store.snapshot_policies[:] = [reader_snapshots(every=2, schema=99)]
    with lector.engine.begin() as conn:  # the policy's schema moved on: ignored as well
        ignored = lector.store.load([STREAM], conn, snapshots=True)
    assert fold_reader(ignored.events, READER) == whole  # folded from the log again


def test_a_stale_version_is_refused_with_a_snapshot(lector: Lector) -> None:
    setup(lector, every=2)
    for n in range(3):
        step(lector, "out", n)
    with lector.engine.begin() as conn:
        loaded = lector.store.load([STREAM], conn, snapshots=True)
    assert STREAM in loaded.snapshots
    version = loaded.version(STREAM)
    assert version == lector.store.load([STREAM]).version(STREAM)
    readers.block_reader(lector.ports, DESK, READER, "lost card", None)
    with pytest.raises(ConcurrencyError):
        lector.store.append([PendingEvent(ReaderBlocked(READER, "again"), (STREAM,))],
                            expected={STREAM: version}, meta=DESK.meta("block_reader"))
