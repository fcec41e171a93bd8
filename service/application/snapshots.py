"""Which decision states are snapshotted beside the log (events/snapshots.py): the reader's.

Check-out, check-in and renew fold the reader's whole stream (every loan, hold and fine the
reader ever had); with a snapshot every ``SNAPSHOT_EVERY`` events they fold at most that many.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from events.snapshots import SnapshotPolicy
from events.store import StoredEvent
from events.streams import READER
from service.domain.readers.reader_state import (
    STATE_SCHEMA,
    fold_reader,
    state_from_data,
    state_to_data,
)

SNAPSHOT_EVERY = 50


def _fold(state: Any, stream_id: str, events: Sequence[StoredEvent]) -> Any:
    return fold_reader(events, stream_id[len(READER):], start=state)


def reader_snapshots(every: int = SNAPSHOT_EVERY, schema: int = STATE_SCHEMA) -> SnapshotPolicy:
    return SnapshotPolicy(prefix=READER, schema=schema, every=every, fold=_fold,
                          dump=state_to_data, load=state_from_data)
