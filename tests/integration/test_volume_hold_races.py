"""Concurrent holds on volumes of one set queue first come first served per volume (both back ends)."""

from __future__ import annotations

from typing import Any

from events.catalogue import CopyAdded
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.store import StoredEvent
from projections.hold_queue import list_holds
from projections.runner import catch_up
from service.application import catalogue, circulation
from service.bootstrap import Lector
from tests.integration import test_circulation_races as races
from tests.integration.test_circulation_races import (
    DESK_A,
    add_readers,
    assert_rebuild_equals_incremental,
    codes,
    log,
    race,
)

racing = races.racing  # the same fixture: a fresh Lector on PostgreSQL and on SQLite


def add_set(lector: Lector, title_id: str, volumes: int) -> None:
    """A multi-volume set: copy V<n> is volume v.<n>."""
    cmd = catalogue.CatalogueTitle(title="资治通鉴", clc_class="K204.3", title_id=title_id)
    catalogue.catalogue_title(lector.ports, DESK_A, cmd, None)
    for n in range(1, volumes + 1):
        catalogue.add_copy(lector.ports, DESK_A, catalogue.AddCopy(
            f"V{n}", title_id, "main", enumeration=f"v.{n}", shelf_mark=f"K204.3/1/{n}"), None)


def audit_volumes(events_: list[StoredEvent]) -> None:
    """Every trap goes to the earliest waiting hold that may take that copy's volume."""
    volume_of: dict[str, str | None] = {}
    waiting: list[tuple[str, str | None]] = []  # (hold_id, enumeration) in log order
    for stored in events_:
        e = stored.event
        if isinstance(e, CopyAdded):
            volume_of[e.barcode] = e.enumeration
        elif isinstance(e, HoldPlaced):
            waiting.append((e.hold_id, e.enumeration))
        elif isinstance(e, HoldTrapped):
            first = next(h for h, vol in waiting if vol in (None, volume_of[e.barcode]))
            assert first == e.hold_id, f"position {stored.position}: trapped out of order"
            waiting = [w for w in waiting if w[0] != e.hold_id]
        elif isinstance(e, HoldExpired | HoldCancelled | HoldFulfilled):
            waiting = [w for w in waiting if w[0] != e.hold_id]


def test_concurrent_holds_on_two_volumes_queue_fifo_per_volume(racing: Lector) -> None:
    cards = add_readers(racing, "V", 24)
    [lender, _] = add_readers(racing, "L", 2)
    add_set(racing, "zz", 3)
    for barcode in ("V2", "V3"):
        circulation.check_out(racing.ports, DESK_A, lender, barcode, None, None)
    wanted = ["v.2" if i % 2 else "v.3" for i in range(24)]
    results = race(24, lambda i: circulation.place_hold(
        racing.ports, DESK_A, f"r-{cards[i]}", "zz", "main", None, wanted[i]))
    assert codes(results) == {"ok": 24}
    accepted = sorted(results, key=lambda o: o.position)
    for volume in ("v.2", "v.3"):
        mine = [o for o in accepted if o.result["enumeration"] == volume]
        # Each caller was told its place in its volume's queue, 1..12 in commit order.
        assert [o.result["queue_position"] for o in mine] == list(range(1, 13))
    for projection in racing.projections:
        catch_up(racing.engine, racing.store, projection)
    with racing.engine.connect() as conn:
        queue = list_holds(conn, title_id="zz", status="waiting")
    v2 = [o.result["hold_id"] for o in accepted if o.result["enumeration"] == "v.2"]
    assert [(h["hold_id"], h["queue_position"]) for h in queue if h["enumeration"] == "v.2"] \
        == [(hold, n) for n, hold in enumerate(v2, start=1)]

    returned = circulation.check_in(racing.ports, DESK_A, "V2", None, None)
    assert returned.result["hold_id"] == v2[0]
    # Cancelling the first v.2 hold passes the copy to the second v.2 reader, not to v.3.
    passed = circulation.cancel_hold(racing.ports, DESK_A, v2[0], "changed mind", None)
    assert passed.result["passed_to"] == _reader_of(racing, v2[1])
    v1 = circulation.check_in(racing.ports, DESK_A, "V1", None, None)  # nobody waits for v.1
    assert v1.result.get("hold_id") is None
    audit_volumes(log(racing))
    assert_rebuild_equals_incremental(racing)


def test_title_level_and_volume_holds_share_the_copies_in_arrival_order(racing: Lector) -> None:
    cards = add_readers(racing, "T", 10)
    [lender] = add_readers(racing, "M", 1)
    add_set(racing, "zz", 2)
    circulation.check_out(racing.ports, DESK_A, lender, "V1", None, None)
    results = race(10, lambda i: circulation.place_hold(
        racing.ports, DESK_A, f"r-{cards[i]}", "zz", "main", None, None if i % 2 else "v.1"))
    assert codes(results) == {"ok": 10}
    accepted = sorted(results, key=lambda o: o.position)
    returned = circulation.check_in(racing.ports, DESK_A, "V1", None, None)
    # Whoever was accepted first takes v.1, whether their hold named the volume or not.
    assert returned.result["hold_id"] == accepted[0].result["hold_id"]
    audit_volumes(log(racing))
    assert_rebuild_equals_incremental(racing)


def _reader_of(lector: Lector, hold_id: str) -> Any:
    return circulation.hold_owner(lector.ports, hold_id).reader_id
