"""The desk's API: overrides, transit between branches, the book drop, pull list, hold shelf."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.application.context import Ports
from tests.api.circulation_helpers import Library
from tests.api.test_circulation_api import MovableClock


@pytest.fixture
def clock(lector: Any) -> MovableClock:
    moving = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # a Monday, 10:00 Shanghai
    ports: Ports = lector.ports
    ports.clock = moving
    return moving


@pytest.fixture
def lib(client: Any, auth: Any, clock: MovableClock) -> Library:
    return Library(client, auth)


def full_child(lib: Library) -> str:
    """A child (limit 5) with five loans and a sixth copy B5 on the shelf."""
    reader_id = lib.reader("C1", category="child")
    title_id = lib.title("小王子")
    for n in range(6):
        lib.copy(title_id, f"B{n}")
    for n in range(5):
        assert lib.checkout("C1", f"B{n}").status_code == 201
    return reader_id


def lend(lib: Library, card: str, barcode: str, role: str, reason: str | None) -> Any:
    return lib.post("/api/v1/checkouts", {"card_number": card, "barcode": barcode,
                                          "override_reason": reason}, role=role)


def test_a_librarian_passes_the_loan_limit_with_a_reason_and_the_audit_shows_it(
    lib: Library,
) -> None:
    reader_id = full_child(lib)
    assert lend(lib, "C1", "B5", "librarian", None).get_json()["code"] == "loan_limit_reached"
    reply = lend(lib, "C1", "B5", "librarian", "school project")
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["overridden"] == ["loan_limit_reached"]
    items = lib.get(f"/api/v1/readers/{reader_id}/timeline", role="librarian").get_json()["items"]
    opened = [i for i in items if i["type"] == "loan.opened"][-1]["data"]
    assert opened["override_codes"] == ["loan_limit_reached"]
    assert opened["override_reason"] == "school project"
    assert opened["override_by"].startswith("staff:")


def test_the_desk_role_may_not_override_and_hard_refusals_never_pass(lib: Library) -> None:
    full_child(lib)
    refused = lend(lib, "C1", "B5", "desk", "please")
    assert refused.status_code == 403 and refused.get_json()["code"] == "override_forbidden"
    lib.reader("R2")
    hard = lend(lib, "R2", "B0", "librarian", "I insist")  # on loan to C1
    assert hard.status_code == 409 and hard.get_json()["code"] == "override_not_allowed"
    unknown = lend(lib, "R2", "NOPE1", "admin", "I insist")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "copy_not_found"


def test_a_librarian_renews_past_the_renewal_limit(lib: Library, clock: MovableClock) -> None:
    lib.reader("R1")
    lib.copy(lib.title("三体"), "B1")
    lib.checkout("R1", "B1")
    code = None
    for _ in range(6):
        clock.advance(20)
        reply = lib.post("/api/v1/renewals", {"barcode": "B1"})
        if reply.status_code != 200:
            code = reply.get_json()["code"]
            break
    assert code == "renewal_limit_reached"
    passed = lib.post("/api/v1/renewals", {"barcode": "B1", "override_reason": "thesis"},
                      role="librarian")
    assert passed.status_code == 200 and passed.get_json()["overridden"] == ["renewal_limit_reached"]


def test_a_copy_returned_away_from_home_travels_in_transit_until_received(lib: Library) -> None:
    lib.reader("R1")
    lib.copy(lib.title("三体"), "B1", branch="main")
    lib.checkout("R1", "B1")
    back = lib.post("/api/v1/checkins", {"barcode": "B1", "branch": "east"}).get_json()
    assert (back["route"], back["transit_to"]) == ("transit", "main")
    listed = lib.get("/api/v1/transits?to_branch=main").get_json()
    assert [(t["barcode"], t["from_branch"], t["reason"]) for t in listed] == [("B1", "east", "home")]
    again = lib.post("/api/v1/checkins", {"barcode": "B1", "branch": "east"}).get_json()
    assert again["route"] == "transit"  # still on its way: scanned elsewhere, nothing changes
    home = lib.post("/api/v1/checkins", {"barcode": "B1", "branch": "main"}).get_json()
    assert home["route"] == "shelf"
    assert lib.get("/api/v1/transits").get_json() == []


def test_a_trapped_copy_goes_to_the_pickup_branch_and_names_the_reader_there(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    title_id = lib.title("围城")
    lib.copy(title_id, "B1", branch="main")
    lib.checkout("R1", "B1")
    assert lib.hold("R2", title_id, branch="east").status_code == 201
    back = lib.post("/api/v1/checkins", {"barcode": "B1", "branch": "main"}).get_json()
    assert (back["route"], back["transit_to"], back["hold_reader_card"]) == ("transit", "east", "R2")
    at_east = lib.post("/api/v1/checkins", {"barcode": "B1", "branch": "east"}).get_json()
    assert at_east["route"] == "hold_shelf"
    assert "读者R2" in at_east["message_zh"] and "R2" in at_east["message_en"]
    assert at_east["hold_reader_name"] == "读者R2" and at_east["pickup_by"]


def test_a_book_drop_return_is_dated_at_the_drop_and_fined_to_then(
    lib: Library, clock: MovableClock,
) -> None:
    lib.reader("R1")
    lib.copy(lib.title("三体"), "B1")
    due = lib.checkout("R1", "B1").get_json()["due_on"]  # 2026-04-01
    dropped = clock.now + timedelta(days=29)  # before the due date
    clock.advance(33)  # emptied on a later morning: late by then
    back = lib.post("/api/v1/checkins", {"barcode": "B1",
                                         "returned_at": dropped.isoformat()}).get_json()
    assert (back["fine_fen"], back["days_late"]) == (0, 0), (due, back)
    assert back["returned_at"].startswith(dropped.date().isoformat())
    future = lib.post("/api/v1/checkins", {"barcode": "B1",
                                           "returned_at": (clock.now + timedelta(hours=1)).isoformat()})
    assert future.status_code == 422 and future.get_json()["code"] == "return_time_invalid"


def test_the_pull_list_and_the_hold_shelf(lib: Library, clock: MovableClock) -> None:
    lib.reader("R1")
    title_id = lib.title("活着")
    lib.copy(title_id, "B1", branch="main", shelf_mark="I247/Y")
    assert lib.hold("R1", title_id).status_code == 201
    pull = lib.get("/api/v1/desk/pull-list?branch=main").get_json()
    assert [(p["barcode"], p["shelf_mark"], p["pickup_branch"]) for p in pull] == [
        ("B1", "I247/Y", "main")]
    trapped = lib.checkin("B1").get_json()  # fetched and scanned: set aside
    assert trapped["route"] == "hold_shelf"
    assert lib.get("/api/v1/desk/pull-list").get_json() == []
    assert lib.get("/api/v1/desk/hold-shelf").get_json() == []  # not expiring today
    on = trapped["pickup_by"]
    shelf = lib.get(f"/api/v1/desk/hold-shelf?on={on}").get_json()
    assert [(s["barcode"], s["card_number"], s["expired"]) for s in shelf] == [("B1", "R1", False)]
