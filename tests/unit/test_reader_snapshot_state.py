"""A reader's snapshot keeps every field of the decision state: a field added to ReaderState
and forgotten in the snapshot would make snapshot + tail differ from the full fold."""
from __future__ import annotations

import dataclasses
from datetime import date

from service.domain.readers.reader_state import (
    HoldInfo,
    LoanInfo,
    ReaderState,
    state_from_data,
    state_to_data,
)


def _unlike_the_defaults() -> ReaderState:
    return ReaderState(
        reader_id="R1", card_number="C1", category="child", language="en",
        expires_on=date(2027, 1, 31), manual_block="lost card", erased=True, keep_history=False,
        notice_channels=("email", "in_app"), digest=True, marketing=True,
        loans={"L1": LoanInfo("L1", "B1", "T1", date(2026, 12, 20), "book", "east", 2)},
        holds={"H1": HoldInfo("H1", "T2", "main", "B9", date(2026, 12, 9))},
        fines={"F1": 150})


def test_every_field_differs_from_its_default_in_the_example() -> None:
    example, default = _unlike_the_defaults(), ReaderState()
    same = [f.name for f in dataclasses.fields(ReaderState)
            if getattr(example, f.name) == getattr(default, f.name)]
    assert same == []


def test_a_snapshot_round_trip_keeps_every_field_of_the_reader_state() -> None:
    example = _unlike_the_defaults()
    assert state_from_data(state_to_data(example)) == example
