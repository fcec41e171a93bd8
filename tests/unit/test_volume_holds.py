"""Holds for one volume of a multi-volume set: the rules trap only that volume (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import events.domain  # noqa: F401  (registers every event type)
from events import codec
from events.catalogue import CopyAdded
from events.holds import HoldPlaced, HoldTrapped
from service.domain.catalogue.title_state import QueuedHold, TitleState
from service.domain.circulation.copy_state import CopyState
from service.domain.circulation.hold_rules import decide_place_hold, trap_next
from service.domain.circulation.loan_rules import decide_renew
from service.domain.errors import DomainError
from service.domain.library.policy import default_matrix
from service.domain.library.rules import Rules
from service.domain.readers.reader_state import LoanInfo, ReaderState

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
RULES = Rules(now=NOW, today=date(2026, 3, 2), matrix=default_matrix(), calendars={})


def set_of_volumes(*waiting: tuple[str, str | None]) -> TitleState:
    """A 3-volume set (B1 v.1, B2 v.2, B3 v.3) with holds (reader, volume) in arrival order."""
    queue = [QueuedHold(f"h-{r}", r, "main", 100 + i, "adult", vol)
             for i, (r, vol) in enumerate(waiting)]
    return TitleState("t1", exists=True, title="资治通鉴", copies={"B1", "B2", "B3"},
                      volumes={"B1": "v.1", "B2": "v.2", "B3": "v.3"}, waiting=queue)


def volume_copy(barcode: str, enumeration: str | None, **changes: object) -> CopyState:
    return CopyState(barcode, title_id="t1", branch="main", enumeration=enumeration,
                     **changes)  # type: ignore[arg-type]


def trapped_reader(title: TitleState, copy: CopyState) -> str | None:
    trap = trap_next(RULES, title, copy, reason="returned")
    return trap.trapped[0] if trap.trapped else None


def test_a_returned_volume_goes_to_the_first_reader_waiting_for_that_volume() -> None:
    title = set_of_volumes(("r1", "v.2"), ("r2", "v.3"), ("r3", "v.3"))
    assert trapped_reader(title, volume_copy("B3", "v.3", status="available")) == "r2"


def test_a_volume_nobody_waits_for_is_not_trapped_for_another_volumes_hold() -> None:
    title = set_of_volumes(("r1", "v.2"))
    assert trapped_reader(title, volume_copy("B1", "v.1")) is None


def test_a_title_level_hold_takes_any_volume_in_arrival_order() -> None:
    title = set_of_volumes(("r1", None), ("r2", "v.1"))
    assert trapped_reader(title, volume_copy("B1", "v.1")) == "r1"
    title = set_of_volumes(("r2", "v.1"), ("r1", None))
    assert trapped_reader(title, volume_copy("B1", "v.1")) == "r2"
    assert trapped_reader(title, volume_copy("B2", "v.2")) == "r1"


def test_a_hold_for_a_volume_the_title_lacks_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decide_place_hold(RULES, ReaderState(reader_id="r1", category="adult"),
                          set_of_volumes(), "h1", "main", enumeration="v.9")
    assert refused.value.code == "volume_not_found"


def test_a_reader_may_wait_for_two_volumes_but_not_twice_for_one() -> None:
    title = set_of_volumes(("r1", "v.1"))
    reader = ReaderState(reader_id="r1", category="adult")
    events, result = decide_place_hold(RULES, reader, title, "h2", "main", enumeration="v.2")
    placed = events[0].event
    assert isinstance(placed, HoldPlaced) and placed.enumeration == "v.2"
    assert result["queue_position"] == 1
    with pytest.raises(DomainError) as refused:
        decide_place_hold(RULES, reader, title, "h3", "main", enumeration="v.1")
    assert refused.value.code == "already_held"


def test_queue_positions_count_only_the_holds_in_the_same_queue() -> None:
    title = set_of_volumes(("r1", "v.1"), ("r2", None), ("r3", "v.1"), ("r4", None))
    assert [title.queue_position(f"h-r{n}") for n in (1, 2, 3, 4)] == [1, 1, 2, 2]


def test_a_hold_on_another_volume_does_not_block_renewing_this_one() -> None:
    title = set_of_volumes(("r2", "v.2"))
    copy = volume_copy("B1", "v.1", status="on_loan", loan_id="L1", reader_id="r1",
                       due_on=date(2026, 3, 10))
    reader = ReaderState(reader_id="r1", category="adult", loans={
        "L1": LoanInfo("L1", "B1", "t1", date(2026, 3, 10), "book", "main")})
    assert decide_renew(RULES, reader, copy, title).events
    with pytest.raises(DomainError) as refused:
        decide_renew(RULES, reader, volume_copy("B2", "v.2", status="on_loan", loan_id="L1",
                                                reader_id="r1", due_on=date(2026, 3, 10)),
                     title)
    assert refused.value.code == "title_has_holds"


def test_version_1_copies_and_holds_upcast_to_whole_title_copies_and_title_holds() -> None:
    copy = codec.from_data("copy.added", codec.upcast("copy.added", 1, {
        "barcode": "B1", "title_id": "t1", "branch": "main", "item_type": "book",
        "shelf_mark": "K204/1", "price_fen": 100}))
    assert isinstance(copy, CopyAdded)
    assert (copy.enumeration, copy.chronology, copy.shelf_mark) == (None, None, "K204/1")
    hold = codec.from_data("hold.placed", codec.upcast("hold.placed", 1, {
        "hold_id": "h1", "title_id": "t1", "reader_id": "r1", "pickup_branch": "main",
        "placed_at": NOW.isoformat()}))
    assert isinstance(hold, HoldPlaced) and hold.enumeration is None
    assert CopyAdded.schema_version == 2 and HoldPlaced.schema_version == 2
    assert HoldTrapped.schema_version == 1
