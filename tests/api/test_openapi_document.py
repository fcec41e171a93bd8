"""The OpenAPI document tells the truth: the security each operation declares is the access
rule the app enforces, and every error the app sends is the documented problem+json body."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest

from events.readers import ReaderRegistered
from events.store import PendingEvent
from tests.api.test_every_route_access import LOGOUT, call, routes, url_for_rule

PROBLEM = "application/problem+json"
CALLERS = ("nobody", "reader", "desk", "librarian", "admin")


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    reply = client.get("/api/v1/openapi.json")
    assert reply.status_code == 200
    return reply.get_json()  # type: ignore[no-any-return]


def spec_path(rule: str) -> str:
    """/api/v1/readers/<reader_id> -> /api/v1/readers/{reader_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def documented_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, method.upper()): op for path, item in document["paths"].items()
            for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")}


def problem_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The documented Problem schema as plain JSON Schema (OpenAPI 3.0 ``nullable`` mapped)."""
    schema = dict(document["components"]["schemas"]["Problem"])
    schema["properties"] = {
        name: ({**prop, "type": [prop["type"], "null"]} if prop.get("nullable") else prop)
        for name, prop in schema["properties"].items()
    }
    return schema


def test_the_document_declares_the_bearer_scheme(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_operation_declares_the_security_its_route_enforces(
        app: Any, document: dict[str, Any]) -> None:
    operations = documented_operations(document)
    walked = {(spec_path(rule), method): access for rule, method, access in routes(app)}
    assert set(operations) <= set(walked)  # nothing documented that the app does not serve
    api_routes = {key for key in walked if key[0].startswith("/api/v1/") and
                  not key[0].endswith("openapi.json")}
    assert api_routes == set(operations)  # and every API route is documented
    for key, operation in operations.items():
        access = walked[key]
        if access is None:
            assert operation["security"] == [], key
            continue
        assert operation["security"] == [{"bearerAuth": []}], key
        assert operation["x-lector-access"] == {"role": access[0], "reader_self": access[1]}, key
        assert {"401", "403"} <= set(operation["responses"]), key


def test_every_documented_error_response_is_problem_json(document: dict[str, Any]) -> None:
    responses = document["components"]["responses"]
    for (path, method), operation in documented_operations(document).items():
        for status, response in operation["responses"].items():
            if status != "default" and int(status) < 400:
                continue
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[-1]]
            assert list(response["content"]) == [PROBLEM], (path, method, status)
            schema = response["content"][PROBLEM]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (path, method, status)
    required = set(document["components"]["schemas"]["Problem"]["required"])
    assert required == {"type", "title", "status", "code"}


@pytest.fixture
def reader_headers(client: Any, auth: Any) -> dict[str, str]:
    client.post("/api/v1/readers", json={"card_number": "D1", "name": "文档", "pin": "2468",
                                         "category": "adult"}, headers=auth("desk"))
    token = client.post("/api/v1/auth/token", json={"card_number": "D1", "pin": "2468"})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def test_every_error_the_route_walk_receives_is_a_documented_problem(
        app: Any, client: Any, auth: Any, reader_headers: dict[str, str],
        document: dict[str, Any]) -> None:
    validator = jsonschema_rs.Draft7Validator(problem_schema(document))
    seen: dict[int, int] = {}
    # Logging out revokes the caller's token: visit it after every other route.
    for rule, method, _ in sorted(routes(app), key=lambda r: (r[0], r[1]) == LOGOUT):
        if not rule.startswith("/api/v1/"):
            continue
        for who in CALLERS:
            headers = ({} if who == "nobody" else reader_headers if who == "reader"
                       else auth(who))
            reply = call(client, method, url_for_rule(rule, "unknown-reader"), headers)
            if reply.status_code < 400:
                continue
            where = (rule, method, who, reply.status_code)
            assert reply.mimetype == PROBLEM, where
            body = reply.get_json(force=True)
            assert [e.message for e in validator.iter_errors(body)] == [], (where, body)
            assert body["status"] == reply.status_code, where
            seen[reply.status_code] = seen.get(reply.status_code, 0) + 1
    assert {401, 403, 404, 422} <= set(seen)  # the walk met every kind of refusal


def test_an_unknown_path_and_an_unsupported_method_are_problems_too(
        client: Any, document: dict[str, Any]) -> None:
    validator = jsonschema_rs.Draft7Validator(problem_schema(document))
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    assert list(validator.iter_errors(missing.get_json(force=True))) == []
    for path, item in document["paths"].items():
        allowed = {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
        unsupported = next(m for m in ("PATCH", "DELETE", "PUT") if m not in allowed)
        reply = client.open(re.sub(r"\{[^}]+\}", "x", path), method=unsupported)
        assert reply.status_code == 405, (path, reply.status_code)
        assert reply.mimetype == PROBLEM
        listed = {m.strip() for m in reply.headers["Allow"].split(",")}
        assert allowed <= listed, (path, listed)


def test_every_query_that_can_wait_for_a_position_documents_its_503(
        app: Any, client: Any, auth: Any, document: dict[str, Any]) -> None:
    waits = {key for key, op in documented_operations(document).items()
             if any(p["name"] == "min_position" for p in op.get("parameters", []))}
    answering_503 = {key for key, op in documented_operations(document).items()
                     if "503" in op["responses"]}
    assert len(waits) > 15 and waits == answering_503
    assert "Retry-After" in document["components"]["responses"]["SERVICE_UNAVAILABLE"]["headers"]
    # A position the log has reached but the read models have not: append behind their back.
    lector = app.extensions["lector"]
    lagging = ReaderRegistered(reader_id="lag-1", card_number="LAG1", category="adult",
                               name="滞后")
    appended = lector.store.append([PendingEvent(lagging, ("reader-lag-1",))],
                                   expected={"reader-lag-1": 0}, meta={})
    reply = client.get(f"/api/v1/readers?min_position={appended.last_position}",
                       headers=auth("desk"))
    assert reply.status_code == 503 and reply.mimetype == PROBLEM
    assert reply.get_json()["code"] == "projection_behind" and reply.headers["Retry-After"]
    beyond = client.get("/api/v1/readers?min_position=1000000", headers=auth("desk"))
    assert beyond.status_code == 422 and beyond.get_json()["code"] == "position_not_reached"


def test_a_calendar_put_without_its_body_is_refused_not_taken_as_an_empty_calendar(
        client: Any, auth: Any) -> None:
    for body in (None, {}, {"closed_weekdays": [6]}):
        reply = client.put("/api/v1/calendars/main", json=body, headers=auth("admin"))
        assert reply.status_code == 422, (body, reply.status_code)
        assert "closed_dates" in reply.get_json()["errors"]
    cleared = client.put("/api/v1/calendars/main", json={"closed_weekdays": [],
                                                         "closed_dates": []},
                         headers=auth("admin"))
    assert cleared.status_code == 200
