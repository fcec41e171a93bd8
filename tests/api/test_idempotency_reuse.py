"""An Idempotency-Key reused for a different request is refused, never answered as the first."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from events.loans import LoanOpened
from service.application import circulation
from service.application.context import Actor, Principal
from service.application.execute import ClientKey
from tests.api.circulation_helpers import Library

DESK = Actor(Principal("staff", "desk9", "desk"), "api")


@pytest.fixture
def lib(client: Any, auth: Any) -> Library:
    library = Library(client, auth)
    library.reader("R1")
    title_id = library.title("三体")
    library.copy(title_id, "B1")
    library.copy(title_id, "B2")
    return library


def loans(lector: Any) -> list[str]:
    return [e.event.barcode for e in lector.store.iter_all() if isinstance(e.event, LoanOpened)]


def test_the_same_key_with_another_body_is_refused_and_lends_nothing(lib: Library,
                                                                     lector: Any) -> None:
    first = lib.checkout("R1", "B1", **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    other = lib.checkout("R1", "B2", **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    problem = other.get_json()
    assert problem["code"] == "idempotency_key_reused"
    assert problem["message_zh"] and problem["message_en"]
    assert loans(lector) == ["B1"]
    assert lib.checkout("R1", "B2", **{"Idempotency-Key": "k-2"}).status_code == 201


def test_the_same_key_with_the_same_body_replays_the_first_answer(lib: Library,
                                                                  lector: Any) -> None:
    headers = {**lib.auth("desk"), "Idempotency-Key": "k-3", "Content-Type": "application/json"}
    first = lib.client.post("/api/v1/checkouts", headers=headers,
                            data=json.dumps({"card_number": "R1", "barcode": "B1"}))
    again = lib.client.post("/api/v1/checkouts", headers=headers,  # same body, keys reordered
                            data=json.dumps({"barcode": "B1", "card_number": "R1"}, indent=2))
    assert again.status_code == 201 and again.get_json()["replayed"] is True
    assert again.get_json()["loan_id"] == first.get_json()["loan_id"]
    assert loans(lector) == ["B1"]


def test_the_same_key_on_another_resource_is_another_request(lib: Library, lector: Any) -> None:
    second = lib.reader("R2")
    first = lib.reader("R3")
    block = {"reason": "证件待核实"}
    assert lib.post(f"/api/v1/readers/{first}/block", block, role="librarian",
                    **{"Idempotency-Key": "b-1"}).status_code == 200
    reused = lib.post(f"/api/v1/readers/{second}/block", block, role="librarian",
                      **{"Idempotency-Key": "b-1"})
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"
    profile = lib.get(f"/api/v1/readers/{second}").get_json()
    assert profile["manual_block"] is None


def test_racing_twins_with_one_key_and_different_bodies_have_one_effect(
        lib: Library, lector: Any) -> None:
    def lend(i: int) -> str:
        try:
            barcode = "B1" if i % 2 == 0 else "B2"
            circulation.check_out(lector.ports, DESK, "R1", barcode,
                                  "main", ClientKey("race-1", f"body-{barcode}"))
            return "ok"
        except Exception as refused:  # DomainError: reused key, or the copy already lent
            return getattr(refused, "code", type(refused).__name__)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lend, range(8)))
    assert len(loans(lector)) == 1, answers
    assert set(answers) <= {"ok", "idempotency_key_reused"} and "idempotency_key_reused" in answers
