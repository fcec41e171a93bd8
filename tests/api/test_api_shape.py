"""One page-size policy for every paged list, and every query that takes ``min_position``
really waits for it (read through ``consistency.read_model``), as the document says."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.adapters.api.schemas.common import MAX_PAGE, MAX_PAGE_SIZE, PAGE_SIZE
from tests.api.test_openapi_document import documented_operations

# A value for each required query parameter the walk has to send (besides min_position).
REQUIRED = {"from": "2026-01-01", "to": "2026-01-31"}


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


def query_parameter(op: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in op.get("parameters", []) if p["name"] == name and p["in"] == "query"),
                None)


def test_every_paged_list_documents_the_same_page_size_default_and_maximum(
        document: dict[str, Any]) -> None:
    paged = {key: op for key, op in documented_operations(document).items()
             if query_parameter(op, "page_size")}
    policies = {key: (query_parameter(op, "page_size")["schema"].get("default"),  # type: ignore[index]
                      query_parameter(op, "page_size")["schema"].get("maximum"),  # type: ignore[index]
                      query_parameter(op, "page")["schema"].get("maximum"))  # type: ignore[index]
                for key, op in paged.items()}
    assert {("/api/v1/loans", "GET"), ("/api/v1/holds", "GET"), ("/api/v1/readers", "GET"),
            ("/api/v1/titles", "GET"), ("/api/v1/feedback", "GET"),
            ("/api/v1/notices", "GET")} <= set(policies)
    assert set(policies.values()) == {(PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE)}, policies


def test_a_page_size_past_the_policy_is_refused_on_every_paged_list(
        client: Any, auth: Any, document: dict[str, Any]) -> None:
    for (path, method), op in documented_operations(document).items():
        if method != "GET" or not query_parameter(op, "page_size"):
            continue
        url = re.sub(r"\{[^}]+\}", "x", path)
        over = client.get(url, query_string={**REQUIRED, "page_size": MAX_PAGE_SIZE + 1},
                          headers=auth("admin"))
        at_most = client.get(url, query_string={**REQUIRED, "page_size": MAX_PAGE_SIZE},
                             headers=auth("admin"))
        assert (over.status_code, over.get_json()["code"]) == (422, "invalid_request"), path
        assert at_most.status_code == 200, (path, at_most.get_json())


def test_every_query_that_takes_min_position_waits_for_it(
        client: Any, auth: Any, document: dict[str, Any]) -> None:
    """A position past the log's head is refused at once by the wait (422
    position_not_reached): an operation that documents min_position but never waited would
    answer 200 or 404 instead."""
    client.post("/api/v1/readers", json={"card_number": "S1", "name": "形状", "pin": "2468",
                                         "category": "adult"}, headers=auth("desk"))
    token = client.post("/api/v1/auth/token", json={"card_number": "S1", "pin": "2468"})
    reader = {"Authorization": f"Bearer {token.get_json()['token']}"}
    waiting = {(path, method): op for (path, method), op in documented_operations(document).items()
               if query_parameter(op, "min_position")}
    assert len(waiting) > 15
    answers = {}
    for path, method in waiting:
        url = re.sub(r"\{[^}]+\}", "x", path)
        headers = reader if path.endswith("/me/export") else auth("admin")
        reply = client.open(url, method=method, headers=headers,
                            query_string={**REQUIRED, "min_position": 10**9})
        answers[path] = (reply.status_code, (reply.get_json(silent=True) or {}).get("code"))
    assert {p: a for p, a in answers.items() if a != (422, "position_not_reached")} == {}
