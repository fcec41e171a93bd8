"""The reader portal's routes: e-card codes at the desk, scan to borrow, holds, notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projections.notice_mailbox import mailbox, mailbox_row
from service.application.context import Ports
from tests.api.circulation_helpers import Library
from tests.api.test_circulation_api import MovableClock


@pytest.fixture
def clock(lector: Any) -> MovableClock:
    moving = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    ports: Ports = lector.ports
    ports.clock = moving
    return moving


@pytest.fixture
def lib(client: Any, auth: Any, clock: MovableClock) -> Library:
    return Library(client, auth)


def reader_headers(client: Any, card: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"card_number": card, "pin": "1234"})
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def ecard(lib: Library, reader_id: str, card: str) -> dict[str, Any]:
    reply = lib.client.get(f"/api/v1/readers/{reader_id}/ecard",
                           headers=reader_headers(lib.client, card))
    assert reply.status_code == 200, reply.get_json()
    return dict(reply.get_json())


def test_the_e_card_is_a_qr_code_and_a_barcode_of_a_signed_code_for_the_card(lib: Library) -> None:
    reader_id = lib.reader("C1")
    card = ecard(lib, reader_id, "C1")
    assert card["card_number"] == "C1" and card["code"].startswith("EC1:C1:")
    assert card["qr_svg"].startswith("<svg") and card["barcode_svg"].startswith("<svg")
    issued = datetime.fromisoformat(card["issued_at"])
    assert datetime.fromisoformat(card["expires_at"]) - issued == timedelta(hours=24)


def test_the_desk_lends_to_a_fresh_e_card_code_as_to_the_card(lib: Library) -> None:
    reader_id = lib.reader("C1")
    lib.copy(lib.title("三体"), "B1")
    reply = lib.checkout(ecard(lib, reader_id, "C1")["code"], "B1")
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["reader_id"] == reader_id


def test_the_desk_refuses_an_e_card_code_from_yesterday_and_a_forged_one(
    lib: Library, clock: MovableClock
) -> None:
    reader_id = lib.reader("C1")
    lib.copy(lib.title("三体"), "B1")
    code = ecard(lib, reader_id, "C1")["code"]
    forged = code.replace("EC1:C1:", "EC1:C2:")
    lib.reader("C2")
    refused = lib.checkout(forged, "B1")
    assert (refused.status_code, refused.get_json()["code"]) == (422, "ecard_invalid")
    clock.advance(1)
    clock.now += timedelta(minutes=1)
    expired = lib.checkout(code, "B1")
    assert (expired.status_code, expired.get_json()["code"]) == (422, "ecard_expired")
    assert "card_number" in expired.get_json()["errors"]
    assert lib.get("/api/v1/loans?barcode=B1").get_json() == []


def test_a_reader_cannot_fetch_another_readers_e_card(lib: Library) -> None:
    lib.reader("C1")
    other = lib.reader("C2")
    reply = lib.client.get(f"/api/v1/readers/{other}/ecard", headers=reader_headers(lib.client, "C1"))
    assert reply.status_code == 403


def test_scan_to_borrow_is_refused_until_an_admin_turns_it_on_for_the_branch(
    lib: Library, lector: Any
) -> None:
    reader_id = lib.reader("C1")
    title_id = lib.title("三体")
    lib.copy(title_id, "B1", branch="main")
    lib.copy(title_id, "B2", branch="east")
    me = reader_headers(lib.client, "C1")
    path = f"/api/v1/readers/{reader_id}/checkouts"
    refused = lib.client.post(path, json={"barcode": "B1"}, headers=me)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "self_service_not_allowed")
    assert lib.client.get("/api/v1/self-service", headers=me).get_json() == {"branches": {}}

    assert lib.client.put("/api/v1/self-service/main", json={"portal_checkout": True},
                          headers=lib.auth("librarian")).status_code == 403
    turned = lib.client.put("/api/v1/self-service/main", json={"portal_checkout": True},
                            headers=lib.auth("admin"))
    assert turned.status_code == 200 and turned.get_json()["branches"] == {"main": True}

    lent = lib.client.post(path, json={"barcode": "B1"}, headers=me)
    assert lent.status_code == 201, lent.get_json()
    assert lent.get_json()["reader_id"] == reader_id
    assert lector.store.read_all(0)[-1].meta["channel"] == "portal"
    elsewhere = lib.client.post(path, json={"barcode": "B2"}, headers=me)
    assert elsewhere.get_json()["code"] == "self_service_not_allowed"


def test_scan_to_borrow_keeps_the_desks_rules_and_a_readers_own_card(lib: Library) -> None:
    reader_id = lib.reader("C1")
    other = lib.reader("C2")
    lib.copy(lib.title("三体"), "B1")
    lib.client.put("/api/v1/self-service/main", json={"portal_checkout": True},
                   headers=lib.auth("admin"))
    lib.checkout("C2", "B1")
    me = reader_headers(lib.client, "C1")
    taken = lib.client.post(f"/api/v1/readers/{reader_id}/checkouts", json={"barcode": "B1"},
                            headers=me)
    assert taken.get_json()["code"] == "copy_not_available"
    for_other = lib.client.post(f"/api/v1/readers/{other}/checkouts", json={"barcode": "B1"},
                                headers=me)
    assert for_other.status_code == 403


def test_a_bad_self_service_change_is_a_problem_with_field_messages(lib: Library) -> None:
    bad_body = lib.client.put("/api/v1/self-service/main", json={"portal_checkout": "maybe"},
                              headers=lib.auth("admin"))
    assert bad_body.status_code == 422 and "portal_checkout" in bad_body.get_json()["errors"]
    bad_branch = lib.client.put("/api/v1/self-service/a%20b", json={"portal_checkout": True},
                                headers=lib.auth("admin"))
    assert (bad_branch.status_code, bad_branch.get_json()["code"]) == (422, "invalid_branch")


def test_waiting_holds_show_their_place_and_a_wait_of_one_loan_period_per_round(
    lib: Library
) -> None:
    title_id = lib.title("三体")
    lib.copy(title_id, "B1")
    lib.reader("C0")
    lib.checkout("C0", "B1")
    first, second = lib.reader("C1"), lib.reader("C2")
    lib.hold("C1", title_id)
    lib.hold("C2", title_id)
    waits = lib.client.get(f"/api/v1/readers/{second}/hold-waits",
                           headers=reader_headers(lib.client, "C2")).get_json()
    loan_days = lib.get("/api/v1/policy", "admin").get_json()
    assert [(w["queue_position"], w["pickup_branch"]) for w in waits] == [(2, "main")]
    assert waits[0]["estimated_wait_days"] == 2 * _adult_book_days(loan_days)
    assert lib.client.get(f"/api/v1/readers/{first}/hold-waits",
                          headers=reader_headers(lib.client, "C2")).status_code == 403


def _adult_book_days(policy: dict[str, Any]) -> int:
    rules = policy["matrix"]["rules"]
    fallback = [r for r in rules if r["reader_category"] is None and r["item_type"] is None
                and r["branch"] is None]
    adult = [r for r in rules if r["reader_category"] == "adult" and r["branch"] is None
             and r["item_type"] in (None, "book")]
    return int((adult or fallback)[-1]["loan_days"])


def test_the_notices_centre_shows_a_reader_only_their_own_notices(lib: Library, lector: Any) -> None:
    mine, other = lib.reader("C1"), lib.reader("C2")
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    with lector.engine.begin() as conn:
        conn.execute(mailbox.insert(), [
            mailbox_row("n1", "k1", mine, "hold_ready", "zh-CN", "预约到馆", "请取书", "<p>请取书</p>", at),
            mailbox_row("n2", "k2", other, "overdue", "zh-CN", "逾期", "请还书", "<p>请还书</p>", at),
        ])
    reply = lib.client.get(f"/api/v1/readers/{mine}/inbox", headers=reader_headers(lib.client, "C1"))
    assert [(n["subject"], n["text"]) for n in reply.get_json()["items"]] == [("预约到馆", "请取书")]
    assert lib.client.get(f"/api/v1/readers/{other}/inbox",
                          headers=reader_headers(lib.client, "C1")).status_code == 403


def test_notice_settings_are_the_readers_own_and_checked_field_by_field(lib: Library) -> None:
    mine, other = lib.reader("C1"), lib.reader("C2")
    me = reader_headers(lib.client, "C1")
    path = f"/api/v1/readers/{mine}/notice-settings"
    assert lib.client.get(path, headers=me).get_json() == {
        "muted_kinds": [], "quiet_start": None, "quiet_end": None}
    saved = lib.client.put(path, json={"muted_kinds": ["due_soon"], "quiet_start": "22:00",
                                       "quiet_end": "07:00"}, headers=me)
    assert saved.status_code == 200, saved.get_json()
    assert lib.client.get(path, headers=me).get_json() == {
        "muted_kinds": ["due_soon"], "quiet_start": "22:00", "quiet_end": "07:00"}
    bad = lib.client.put(path, json={"muted_kinds": ["gossip"], "quiet_start": "25:00"},
                         headers=me)
    assert (bad.status_code, bad.get_json()["code"]) == (422, "invalid_notice_settings")
    assert set(bad.get_json()["errors"]) == {"muted_kinds", "quiet_start", "quiet_end"}
    assert lib.client.get(f"/api/v1/readers/{other}/notice-settings",
                          headers=me).status_code == 403


def test_staff_pages_can_resolve_an_e_card_code_to_the_card_and_reader(
    lib: Library, clock: MovableClock
) -> None:
    reader_id = lib.reader("C1")
    code = ecard(lib, reader_id, "C1")["code"]
    found = lib.post("/api/v1/ecards/resolve", {"code": code})
    assert found.get_json() == {"card_number": "C1", "reader_id": reader_id}
    assert lib.post("/api/v1/ecards/resolve", {"code": "C1"}).get_json()["reader_id"] == reader_id
    readers_token = reader_headers(lib.client, "C1")
    assert lib.client.post("/api/v1/ecards/resolve", json={"code": code},
                           headers=readers_token).status_code == 403
    clock.advance(2)
    assert lib.post("/api/v1/ecards/resolve", {"code": code}).get_json()["code"] == "ecard_expired"
