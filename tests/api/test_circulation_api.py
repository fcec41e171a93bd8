"""Lending, returning, renewing and reserving through the API, as the desk does it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from service.application.context import Ports
from tests.api.circulation_helpers import Library


class MovableClock:
    """The library's clock, moved by tests (rules never call datetime.now())."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)


@pytest.fixture
def clock(lector: Any) -> MovableClock:
    moving = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # a Monday, 10:00 Shanghai
    ports: Ports = lector.ports
    ports.clock = moving
    return moving


@pytest.fixture
def lib(client: Any, auth: Any, clock: MovableClock) -> Library:
    return Library(client, auth)


def test_a_checkout_opens_a_loan_due_after_the_loan_period(lib: Library) -> None:
    lib.reader("R1")
    lib.copy(lib.title("三体"), "B1")
    reply = lib.checkout("R1", "B1")
    assert reply.status_code == 201
    assert reply.get_json()["due_on"] == "2026-04-01"  # 30 days for an adult book
    assert lib.get("/api/v1/copies/B1").get_json()["status"] == "on_loan"


def test_a_copy_on_loan_is_refused_to_another_reader(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    lib.copy(lib.title("三体"), "B1")
    lib.checkout("R1", "B1")
    reply = lib.checkout("R2", "B1")
    assert reply.status_code == 409 and reply.get_json()["code"] == "copy_not_available"


def test_unknown_cards_and_barcodes_have_their_own_codes(lib: Library) -> None:
    lib.reader("R1")
    assert lib.checkout("R1", "NOPE").get_json()["code"] == "copy_not_found"
    lib.copy(lib.title("活着"), "B1")
    assert lib.checkout("NOBODY", "B1").get_json()["code"] == "reader_not_found"


def test_due_dates_skip_the_days_a_branch_is_closed(lib: Library) -> None:
    reply = lib.client.put("/api/v1/calendars/main",
                           json={"closed_weekdays": [2], "closed_dates": ["2026-04-02"]},
                           headers=lib.auth("admin"))
    assert reply.status_code == 200
    lib.reader("R1")
    lib.copy(lib.title("围城"), "B1")
    # 30 days from Monday 2 March is Wednesday 1 April: closed weekday; 2 April closed date.
    assert lib.checkout("R1", "B1").get_json()["due_on"] == "2026-04-03"


def test_a_late_return_is_fined_per_open_day_and_capped(lib: Library, clock: MovableClock) -> None:
    reader_id = lib.reader("R1")
    lib.copy(lib.title("平凡的世界"), "B1")
    lib.checkout("R1", "B1")
    clock.advance(35)  # five days late
    reply = lib.checkin("B1").get_json()
    assert reply["days_late"] == 5 and reply["fine_fen"] == 50 and reply["route"] == "shelf"
    fines = lib.get(f"/api/v1/readers/{reader_id}/fines").get_json()
    assert fines["balance_fen"] == 50 and fines["fines"][0]["kind"] == "overdue"


def test_payments_reduce_the_balance_and_cannot_exceed_it(lib: Library, clock: MovableClock) -> None:
    reader_id = lib.reader("R1")
    lib.copy(lib.title("平凡的世界"), "B1")
    lib.checkout("R1", "B1")
    clock.advance(40)
    lib.checkin("B1")
    too_much = lib.post(f"/api/v1/readers/{reader_id}/payments", {"amount_fen": 1000})
    assert too_much.status_code == 422 and too_much.get_json()["code"] == "payment_exceeds_balance"
    paid = lib.post(f"/api/v1/readers/{reader_id}/payments", {"amount_fen": 60}).get_json()
    assert paid["balance_fen"] == 40
    fine_id = lib.get(f"/api/v1/readers/{reader_id}/fines").get_json()["fines"][0]["fine_id"]
    waived = lib.post(f"/api/v1/readers/{reader_id}/fines/{fine_id}/waive",
                      {"reason": "first time"}, role="librarian").get_json()
    assert waived["balance_fen"] == 0


def test_a_returned_copy_is_set_aside_for_the_first_reader_waiting(lib: Library) -> None:
    lib.reader("R1")
    second = lib.reader("R2")
    lib.reader("R3")
    title_id = lib.title("白夜行")
    lib.copy(title_id, "B1")
    lib.checkout("R1", "B1")
    assert lib.hold("R2", title_id).get_json()["queue_position"] == 1
    assert lib.hold("R3", title_id).get_json()["queue_position"] == 2
    answer = lib.checkin("B1").get_json()
    assert answer["route"] == "hold_shelf" and answer["hold_reader_id"] == second
    refused = lib.checkout("R3", "B1")
    assert refused.get_json()["code"] == "hold_for_other_reader"
    taken = lib.checkout("R2", "B1")
    assert taken.status_code == 201 and taken.get_json()["hold_fulfilled"] == answer["hold_id"]


def test_cancelling_a_trapped_hold_passes_the_copy_to_the_next_reader(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    third = lib.reader("R3")
    title_id = lib.title("解忧杂货店")
    lib.copy(title_id, "B1")
    lib.checkout("R1", "B1")
    hold_id = lib.hold("R2", title_id).get_json()["hold_id"]
    lib.hold("R3", title_id)
    lib.checkin("B1")
    reply = lib.client.delete(f"/api/v1/holds/{hold_id}", headers=lib.auth("desk"))
    assert reply.get_json()["passed_to"] == third
    assert lib.checkout("R3", "B1").status_code == 201


def test_an_uncollected_hold_expires_and_the_copy_goes_to_the_next(lib: Library,
                                                                    clock: MovableClock) -> None:
    lib.reader("R1")
    lib.reader("R2")
    third = lib.reader("R3")
    title_id = lib.title("嫌疑人X的献身")
    lib.copy(title_id, "B1")
    lib.checkout("R1", "B1")
    lib.hold("R2", title_id)
    lib.hold("R3", title_id)
    lib.checkin("B1")
    clock.advance(3)
    assert lib.post("/api/v1/holds/expire", role="librarian").get_json()["expired"] == []
    clock.advance(6)  # past the 7-day pickup deadline
    expired = lib.post("/api/v1/holds/expire", role="librarian").get_json()["expired"]
    assert [e["passed_to"] for e in expired] == [third]
    waiting = lib.get("/api/v1/holds?status=trapped").get_json()
    assert [h["reader_id"] for h in waiting] == [third]


def test_renewal_extends_the_loan_until_the_limit(lib: Library, clock: MovableClock) -> None:
    lib.reader("R1")
    lib.copy(lib.title("红楼梦"), "B1")
    lib.checkout("R1", "B1")
    clock.advance(20)
    first = lib.post("/api/v1/renewals", {"barcode": "B1"})
    assert first.status_code == 200 and first.get_json()["renewals_left"] == 0
    again = lib.post("/api/v1/renewals", {"barcode": "B1"})
    assert again.get_json()["code"] == "renewal_limit_reached"


def test_a_title_with_waiting_holds_cannot_be_renewed(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    title_id = lib.title("红楼梦")
    lib.copy(title_id, "B1")
    lib.checkout("R1", "B1")
    lib.hold("R2", title_id)
    assert lib.post("/api/v1/renewals", {"barcode": "B1"}).get_json()["code"] == "title_has_holds"


def test_a_blocked_reader_is_refused_with_the_reason(lib: Library) -> None:
    reader_id = lib.reader("R1")
    lib.copy(lib.title("家"), "B1")
    lib.post(f"/api/v1/readers/{reader_id}/block", {"reason": "证件待核实"}, role="librarian")
    reply = lib.checkout("R1", "B1")
    body = reply.get_json()
    assert reply.status_code == 403 and body["code"] == "reader_blocked"
    assert body["reasons"] == ["manual"] and "证件待核实" in body["message_zh"]


def test_an_expired_card_blocks_lending(lib: Library) -> None:
    lib.reader("R1", expires_on="2026-01-31")
    lib.copy(lib.title("家"), "B1")
    assert lib.checkout("R1", "B1").get_json()["reasons"] == ["card_expired"]


def test_the_loan_limit_is_enforced(lib: Library) -> None:
    lib.reader("C1", category="child")  # children may borrow 5
    title_id = lib.title("小王子")
    for n in range(6):
        lib.copy(title_id, f"B{n}")
    codes = [lib.checkout("C1", f"B{n}").status_code for n in range(6)]
    assert codes == [201] * 5 + [409]


def test_losing_a_book_ends_the_loan_and_charges_the_price(lib: Library) -> None:
    reader_id = lib.reader("R1")
    lib.copy(lib.title("围城"), "B1", price_fen=3900)
    lib.checkout("R1", "B1")
    lost = lib.post("/api/v1/loans/lost", {"barcode": "B1"}).get_json()
    assert lost["charge_fen"] == 3900
    assert lib.get(f"/api/v1/readers/{reader_id}/loans").get_json() == []
    assert lib.get("/api/v1/copies/B1").get_json()["status"] == "lost"
    assert lib.checkin("B1").get_json()["route"] == "shelf"  # found again
    assert lib.get("/api/v1/copies/B1").get_json()["status"] == "available"


def test_overdue_loans_are_listed_with_days_overdue(lib: Library, clock: MovableClock) -> None:
    lib.reader("R1")
    lib.copy(lib.title("三国演义"), "B1")
    lib.copy(lib.title("水浒传"), "B2")
    lib.checkout("R1", "B1")
    clock.advance(10)
    lib.checkout("R1", "B2")
    clock.advance(25)
    overdue = lib.get("/api/v1/loans?overdue=true").get_json()
    assert [(o["barcode"], o["days_overdue"]) for o in overdue] == [("B1", 5)]


def test_history_is_kept_only_for_readers_who_want_it(lib: Library) -> None:
    reader_id = lib.reader("R1")
    lib.copy(lib.title("边城"), "B1")
    lib.checkout("R1", "B1")
    lib.checkin("B1")
    history = lib.get(f"/api/v1/readers/{reader_id}/history").get_json()
    assert [h["title"] for h in history["items"]] == ["边城"]
    lib.client.put(f"/api/v1/readers/{reader_id}/preferences", json={"keep_history": False},
                   headers=lib.auth("desk"))
    after = lib.get(f"/api/v1/readers/{reader_id}/history").get_json()
    assert after["items"] == [] and after["keeps_history"] is False


def test_feedback_is_answered_and_the_reader_sees_the_answer(lib: Library) -> None:
    reader_id = lib.reader("R1")
    token = lib.client.post("/api/v1/auth/token", json={"card_number": "R1", "pin": "1234"})
    reader = {"Authorization": f"Bearer {token.get_json()['token']}"}
    sent = lib.client.post("/api/v1/feedback", json={"category": "facility", "text": "空调太冷",
                                                     "rating": 3}, headers=reader)
    feedback_id = sent.get_json()["feedback_id"]
    inbox = lib.get("/api/v1/feedback?status=open", role="librarian").get_json()
    assert [f["feedback_id"] for f in inbox] == [feedback_id]
    lib.post(f"/api/v1/feedback/{feedback_id}/answer", {"answer": "已调高温度", "close": True},
             role="librarian")
    mine = lib.client.get(f"/api/v1/readers/{reader_id}/feedback", headers=reader).get_json()
    assert mine[0]["answer"] == "已调高温度" and mine[0]["status"] == "closed"


def test_a_rejected_suggestion_needs_a_reason(lib: Library) -> None:
    lib.reader("R1")
    sid = lib.post("/api/v1/suggestions", {"card_number": "R1", "title": "深度学习"}
                   ).get_json()["suggestion_id"]
    bad = lib.post(f"/api/v1/suggestions/{sid}/decision", {"decision": "rejected"},
                   role="librarian")
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    ok = lib.post(f"/api/v1/suggestions/{sid}/decision", {"decision": "ordered"},
                  role="librarian")
    assert ok.get_json()["status"] == "ordered"


def test_trends_count_checkouts_by_class_and_distinct_readers(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    fiction, computing = lib.title("活着", "I247.57"), lib.title("算法导论", "TP301.6")
    for n, title_id in enumerate([fiction, fiction, computing]):
        lib.copy(title_id, f"B{n}")
    lib.checkout("R1", "B0")
    lib.checkout("R2", "B1")
    lib.checkout("R1", "B2")
    rows = lib.get("/api/v1/reports/trends?from=2026-03-01&to=2026-03-31&interval=month"
                   "&group_by=class", role="librarian").get_json()["rows"]
    by_class = {r["group"]: (r["checkouts"], r["distinct_readers"]) for r in rows}
    assert by_class == {"I": (2, 2), "T": (1, 1)}


def test_the_log_answers_who_had_a_copy_at_a_past_moment(lib: Library, clock: MovableClock) -> None:
    first = lib.reader("R1")
    lib.reader("R2")
    lib.copy(lib.title("围城"), "B1")
    lib.checkout("R1", "B1")
    between = datetime.now(UTC)
    lib.checkin("B1")
    lib.checkout("R2", "B1")
    past = lib.get(f"/api/v1/loans?barcode=B1&as_of={quote(between.isoformat())}").get_json()
    assert [loan["reader_id"] for loan in past] == [first]
    history = lib.get("/api/v1/copies/B1/history").get_json()["items"]
    assert [h["type"] for h in history] == ["copy.added", "loan.opened", "loan.closed",
                                            "loan.opened"]
    assert all(h["actor"] == "staff:desk1" for h in history[1:])


def test_a_reader_renews_only_their_own_loans(lib: Library) -> None:
    lib.reader("R1")
    lib.reader("R2")
    lib.copy(lib.title("围城"), "B1")
    lib.checkout("R2", "B1")
    token = lib.client.post("/api/v1/auth/token", json={"card_number": "R1", "pin": "1234"})
    reply = lib.client.post("/api/v1/renewals", json={"barcode": "B1"},
                            headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert reply.get_json()["code"] == "loan_not_found"


def test_policy_changes_are_validated_and_versioned(lib: Library) -> None:
    policy = lib.get("/api/v1/policy").get_json()
    assert policy["version"] == 0
    matrix = policy["matrix"]
    bad = {**matrix, "rules": [r for r in matrix["rules"] if r["reader_category"] is not None
                               or r["item_type"] is not None or r["branch"] is not None]}
    refused = lib.client.put("/api/v1/policy", json=bad, headers=lib.auth("admin"))
    assert refused.status_code == 422 and refused.get_json()["code"] == "invalid_policy"
    fallback = next(r for r in matrix["rules"] if r["reader_category"] is None
                    and r["item_type"] is None and r["branch"] is None)
    fallback["loan_days"] = 21
    for rule in matrix["rules"]:
        if rule["reader_category"] == "adult":
            rule["loan_days"] = 21
    assert lib.client.put("/api/v1/policy", json=matrix, headers=lib.auth("admin")).status_code == 200
    assert lib.get("/api/v1/policy").get_json()["version"] == 1
    lib.reader("R1")
    lib.copy(lib.title("围城"), "B1")
    assert lib.checkout("R1", "B1").get_json()["due_on"] == (date(2026, 3, 2)
                                                             + timedelta(days=21)).isoformat()
