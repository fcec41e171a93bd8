"""Renewals through the API: they count from today, never waste a renewal, and overdue
loans renew only where the policy allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.circulation_helpers import Library


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday, 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(lector: Any) -> Clock:
    moving = Clock()
    lector.ports.clock = moving
    return moving


@pytest.fixture
def lib(client: Any, auth: Any, clock: Clock) -> Library:
    library = Library(client, auth)
    library.reader("R1")
    library.copy(library.title("红楼梦"), "B1")
    assert library.checkout("R1", "B1").get_json()["due_on"] == "2026-04-01"
    return library


def renew(lib: Library) -> Any:
    return lib.post("/api/v1/renewals", {"barcode": "B1"})


def loan(lib: Library) -> dict[str, Any]:
    return dict(lib.get("/api/v1/loans?barcode=B1").get_json()[0])


def test_renewing_on_the_day_of_checkout_is_refused_and_uses_no_renewal(lib: Library,
                                                                        clock: Clock) -> None:
    early = renew(lib)
    assert early.status_code == 409 and early.get_json()["code"] == "renewal_too_early"
    assert (loan(lib)["renewals_used"], loan(lib)["due_on"]) == (0, "2026-04-01")
    clock.now += timedelta(days=5)
    renewed = renew(lib)
    assert renewed.status_code == 200 and renewed.get_json()["due_on"] == "2026-04-06"
    assert loan(lib)["renewals_used"] == 1


def test_an_overdue_loan_is_refused_by_default(lib: Library, clock: Clock) -> None:
    clock.now += timedelta(days=33)  # three days overdue
    refused = lib.post("/api/v1/renewals", {"barcode": "B1"},
                       **{"Accept-Language": "zh-CN"})
    assert refused.status_code == 409 and refused.get_json()["code"] == "loan_overdue"
    assert "逾期" in refused.get_json()["title"]
    assert loan(lib)["renewals_used"] == 0


def test_with_renew_overdue_an_overdue_renewal_counts_and_charges_the_fine(
        lib: Library, clock: Clock) -> None:
    matrix = lib.get("/api/v1/policy").get_json()["matrix"]
    assert matrix["renew_overdue"] is False
    reply = lib.client.put("/api/v1/policy", json={**matrix, "renew_overdue": True},
                           headers=lib.auth("admin"))
    assert reply.status_code == 200, reply.get_json()
    clock.now += timedelta(days=33)
    renewed = renew(lib)
    assert renewed.status_code == 200, renewed.get_json()
    assert (renewed.get_json()["due_on"], renewed.get_json()["fine_fen"]) == ("2026-05-04", 30)
    reader_id = loan(lib)["reader_id"]
    assert lib.get(f"/api/v1/readers/{reader_id}/fines").get_json()["balance_fen"] == 30
    clock.now += timedelta(days=10)
    assert renew(lib).get_json()["code"] == "renewal_limit_reached"  # the count still applies
