"""Text no back end can store is refused at the door, on every route and every field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.test_every_route_access import routes, url_for_rule

BAD = "hello\u0000"


@pytest.fixture
def reader_headers(client: Any, auth: Any) -> dict[str, str]:
    client.post("/api/v1/readers", json={"card_number": "N1", "name": "读者", "pin": "2468",
                                         "category": "adult"}, headers=auth("desk"))
    token = client.post("/api/v1/auth/token", json={"card_number": "N1", "pin": "2468"})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def test_feedback_holding_nul_is_refused_naming_the_field_and_appends_nothing(
    client: Any, lector: Any, reader_headers: dict[str, str]
) -> None:
    before = lector.store.last_position()
    reply = client.post("/api/v1/feedback", json={"category": "service", "text": BAD},
                        headers=reader_headers)
    body = reply.get_json()
    assert reply.status_code == 422
    assert body["code"] == "invalid_text" and list(body["errors"]) == ["text"]
    assert "U+0000" in body["message_en"] and "无法保存" in body["message_zh"]
    assert lector.store.last_position() == before
    again = client.post("/api/v1/feedback", json={"category": "service", "text": "hello"},
                        headers=reader_headers)
    assert again.status_code == 201  # the pipeline is alive and well


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "bell\u0007", "\ufffe", "vt\u000b"])
def test_lone_surrogates_and_control_characters_are_refused_too(
    client: Any, auth: Any, bad: str
) -> None:
    # As a client sends it: JSON escapes such as "\ud800", which the parser turns into text.
    reply = client.post("/api/v1/titles", data=json.dumps({"title": bad, "authors": ["x"]}),
                        content_type="application/json", headers=auth("librarian"))
    assert reply.status_code == 422 and reply.get_json()["code"] == "invalid_text"
    assert list(reply.get_json()["errors"]) == ["title"]


def test_nested_fields_and_list_items_are_named_by_their_path(client: Any, auth: Any) -> None:
    reply = client.post("/api/v1/titles", json={"title": "好书", "authors": ["ok", "b\u0000d"]},
                        headers=auth("librarian"))
    assert reply.status_code == 422 and list(reply.get_json()["errors"]) == ["authors[1]"]


def test_tabs_newlines_and_emoji_are_ordinary_text(
    client: Any, lector: Any, reader_headers: dict[str, str]
) -> None:
    reply = client.post("/api/v1/feedback", json={"category": "service",
                                                  "text": "第一行\n\t第二行 😀\r\n"},
                        headers=reader_headers)
    assert reply.status_code == 201


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(spec: dict[str, Any], schema: dict[str, Any], seen: frozenset[str] = frozenset()
                  ) -> list[tuple[str, Any]]:
    """(field path, a body that puts NUL in exactly that field) for every string field."""
    found: list[tuple[str, Any]] = []
    ref = schema.get("$ref", "")
    if ref in seen:
        return found
    schema = _resolve(spec, schema)
    for name, prop in (schema.get("properties") or {}).items():
        inner = _resolve(spec, prop)
        kind = inner.get("type")
        if kind == "string":
            found.append((name, {name: BAD}))
        elif kind == "array":
            item = _resolve(spec, inner.get("items", {}))
            if item.get("type") == "string":
                found.append((f"{name}[0]", {name: [BAD]}))
            elif item.get("properties"):
                for path, body in string_fields(spec, item, seen | {ref}):
                    found.append((f"{name}[0].{path}", {name: [body]}))
        elif inner.get("properties"):
            for path, body in string_fields(spec, inner, seen | {ref}):
                found.append((f"{name}.{path}", {name: body}))
    return found


@pytest.fixture
def self_reader(client: Any, auth: Any) -> tuple[str, dict[str, str]]:
    """A reader and their token, for the routes only the reader themself may call."""
    made = client.post("/api/v1/readers", json={"card_number": "S1", "name": "本人",
                                                "pin": "1357", "category": "adult"},
                       headers=auth("desk")).get_json()
    token = client.post("/api/v1/auth/token", json={"card_number": "S1", "pin": "1357"})
    return made["reader_id"], {"Authorization": f"Bearer {token.get_json()['token']}"}


def self_only_rules(app: Any) -> set[str]:
    """Routes no staff role reaches (a reader's own reading year): access is checked before
    any input is read, so NUL is tried there as the reader themself."""
    return {rule for rule, _method, access in routes(app) if access and access[0] == "system"}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]


def fill(path: str) -> str:
    return "/".join("unknown-1" if s.startswith("{") else s for s in path.split("/"))


def test_every_string_field_of_every_request_schema_refuses_nul(client: Any, auth: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for path, method, op in operations(spec):
        content = (op.get("requestBody") or {}).get("content", {})
        if "application/json" not in content:
            continue
        for field, body in string_fields(spec, content["application/json"]["schema"]):
            reply = client.open(fill(path), method=method.upper(), json=body,
                                headers=auth("admin"))
            assert reply.status_code == 422, (method, path, field, reply.status_code)
            assert reply.get_json()["code"] == "invalid_text"
            assert list(reply.get_json()["errors"]) == [field], (method, path)
            checked += 1
    assert checked > 60  # every text field of every command


def test_every_string_query_parameter_refuses_nul_with_400(
        app: Any, client: Any, auth: Any, self_reader: tuple[str, dict[str, str]]) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    own = self_only_rules(app)
    reader_id, reader = self_reader
    checked = 0
    for path, method, op in operations(spec):
        rule = path.replace("{", "<").replace("}", ">")
        url, headers = ((url_for_rule(rule, reader_id), reader) if rule in own
                        else (fill(path), auth("admin")))
        for param in op.get("parameters", []):
            if param.get("in") != "query" or _resolve(spec, param.get("schema", {})).get(
                    "type") != "string":
                continue
            reply = client.open(url, method=method.upper(),
                                query_string={param["name"]: BAD}, headers=headers)
            assert reply.status_code == 400, (method, path, param["name"], reply.status_code)
            body = reply.get_json()
            assert body["code"] == "invalid_parameter" and list(body["errors"]) == [param["name"]]
            checked += 1
    assert checked > 10


def _body(method: str) -> Any:
    return {} if method in ("POST", "PUT", "PATCH") else None


def test_no_route_answers_5xx_to_nul_in_a_path_or_query_parameter(
    app: Any, client: Any, auth: Any, self_reader: tuple[str, dict[str, str]]
) -> None:
    own = self_only_rules(app)
    reader_id, reader = self_reader
    checked = 0
    for rule, method, _access in routes(app):
        headers = reader if rule in own else auth("admin")
        if "<" in rule and rule not in own:
            url = url_for_rule(rule, "r%00x").replace("unknown-1", "u%00x")
            reply = client.open(url, method=method, json=_body(method), headers=headers)
            assert reply.status_code == 400, (rule, method, reply.status_code)
            checked += 1
        reply = client.open(url_for_rule(rule, reader_id if rule in own else "someone")
                            + "?q=%00&min_position=1%00",
                            method=method, json=_body(method), headers=headers)
        assert reply.status_code == 400, (rule, method, reply.status_code)
        checked += 1
    assert checked > 80


@pytest.mark.parametrize("levels", [33, 5000, 200_000])
def test_json_nested_past_the_limit_is_a_400_on_every_route(
    app: Any, client: Any, auth: Any, levels: int
) -> None:
    deep = "[" * levels + "]" * levels
    for rule, method, _access in routes(app):
        if method not in ("POST", "PUT", "PATCH"):
            continue
        reply = client.open(url_for_rule(rule, "someone"), method=method, data=deep,
                            content_type="application/json", headers=auth("admin"))
        assert reply.status_code == 400, (rule, method, reply.status_code)
        assert reply.get_json()["code"] == "json_too_deep"


def test_json_nested_to_the_limit_is_left_to_the_schema(client: Any, auth: Any) -> None:
    nested: Any = "x"
    for _ in range(31):
        nested = {"a": nested}
    reply = client.post("/api/v1/titles", json={"title": "书", "extra": nested},
                        headers=auth("librarian"))
    assert reply.status_code == 422 and reply.get_json()["code"] != "invalid_text"


def test_a_header_holding_nul_is_a_400(client: Any, auth: Any) -> None:
    headers = {**auth("librarian"), "Idempotency-Key": "k\u0000"}
    reply = client.post("/api/v1/titles", json={"title": "书"}, headers=headers)
    assert reply.status_code == 400 and list(reply.get_json()["errors"]) == ["Idempotency-Key"]


def test_undecodable_bytes_in_a_path_or_query_never_answer_5xx(
    app: Any, client: Any, auth: Any
) -> None:
    for rule, method, _access in routes(app):
        url = url_for_rule(rule, "r%ff%fex").replace("unknown-1", "u%ed%a0%80") + "?q=%ff%c3"
        reply = client.open(url, method=method, json=_body(method), headers=auth("admin"))
        assert reply.status_code < 500, (rule, method, reply.status_code)
