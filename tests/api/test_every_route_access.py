"""Walk every route with no token, a reader token and each staff role (the teacher too), and
the guardian routes as the guardian of a child, an unrelated reader and the child."""

from __future__ import annotations

from typing import Any

import pytest

from service.application.context import ROLE_RANK

PUBLIC = {("/", "GET"), ("/health", "GET"), ("/metrics", "GET"), ("/api/v1/openapi.json", "GET"),
          ("/api/v1/auth/token", "POST"), ("/desk", "GET"), ("/portal", "GET"),
          ("/mailbox", "GET"), ("/admin", "GET"), ("/admin/<section>", "GET"),
          ("/readers/<reader_id>", "GET"), ("/portal/offline", "GET"), ("/portal-sw.js", "GET"),
          ("/reports", "GET"), ("/activities", "GET"), ("/campaigns", "GET"),
          ("/classes", "GET"),
          ("/web/static/<path:filename>", "GET")}
STAFF_ROLES = ("desk", "librarian", "admin", "teacher")
# Logging out revokes the caller's token, so the walk visits it after every other route.
LOGOUT = ("/api/v1/auth/logout", "POST")
# Rules worth stating outright (the walk below checks every route against its own rule).
DECLARED = {
    ("/api/v1/readers/<reader_id>/erase", "POST"): ("admin", None),
    ("/api/v1/readers/<reader_id>/export", "GET"): ("librarian", "reader_id"),
    ("/api/v1/readers/me/export", "GET"): ("reader", None),  # staff get 404 not_a_reader
    ("/api/v1/activities", "POST"): ("librarian", None),
    ("/api/v1/activities/<activity_id>/attendance", "POST"): ("desk", None),
    ("/api/v1/activities/<activity_id>/sign-ups", "POST"): ("reader", None),  # staff by card
    ("/api/v1/surveys/<survey_id>/answers", "POST"): ("reader", None),  # staff: not_a_reader
    ("/api/v1/surveys/<survey_id>/results", "GET"): ("librarian", None),

    ("/api/v1/auth/me", "GET"): ("signed_in", None),  # a teacher too
    ("/api/v1/auth/logout", "POST"): ("signed_in", None),
}


def routes(app: Any) -> list[tuple[str, str, Any]]:
    """(rule, method, access requirement) for every route the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "/docs" in rule.rule:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(getattr(view, "view_class", None), method.lower(), view)
            found.append((rule.rule, method, getattr(handler, "_lector_access", None)))
    return found


def url_for_rule(rule: str, reader_id: str, child_id: str = "unknown-1") -> str:
    """Fill every path parameter; reader ids get the test reader's own id."""
    parts = []
    for segment in rule.split("/"):
        if segment.startswith("<"):
            name = segment.strip("<>").split(":")[-1]
            parts.append(reader_id if name == "reader_id" else
                         child_id if name == "child_id" else "unknown-1")
        else:
            parts.append(segment)
    return "/".join(parts)


@pytest.fixture
def reader(client: Any, auth: Any) -> tuple[str, dict[str, str]]:
    reply = client.post("/api/v1/readers", json={"card_number": "W1", "name": "走查", "pin": "2468",
                                                 "category": "adult"}, headers=auth("desk"))
    token = client.post("/api/v1/auth/token", json={"card_number": "W1", "pin": "2468"})
    return reply.get_json()["reader_id"], {"Authorization": f"Bearer {token.get_json()['token']}"}


def call(client: Any, method: str, url: str, headers: dict[str, str]) -> Any:
    return client.open(url, method=method, json={} if method in ("POST", "PUT", "PATCH") else None,
                       headers=headers)


def test_every_route_is_either_public_or_guarded(app: Any) -> None:
    unguarded = [(r, m) for r, m, access in routes(app) if access is None and (r, m) not in PUBLIC]
    assert unguarded == []


def test_without_a_token_every_guarded_route_answers_401(app: Any, client: Any) -> None:
    for rule, method, access in routes(app):
        if access is None:
            continue
        reply = call(client, method, url_for_rule(rule, "someone"), {})
        assert reply.status_code == 401, (rule, method, reply.status_code)
        assert reply.get_json()["code"] == "unauthorized"


def allowed_for(who: str, role: str, reader_self: str | None) -> bool:
    """The rule the walk checks: readers reach reader routes and their own; a teacher only
    class routes; other staff by rank (class routes from librarian up); everyone their own
    identity and sign-out."""
    if role == "signed_in":
        return True
    if who == "reader":
        return role == "reader" or reader_self is not None
    if who == "teacher":
        return role == "teacher"
    if role == "reader":
        return True
    if role == "teacher":
        return ROLE_RANK[who] >= ROLE_RANK["librarian"]
    return ROLE_RANK[who] >= ROLE_RANK[role]


@pytest.fixture
def teacher_auth(lector: Any, client: Any, auth: Any) -> Any:
    from tests.api.family_helpers import teacher_headers

    teacher = teacher_headers(lector, client)
    return lambda who: teacher if who == "teacher" else auth(who)


def test_each_role_is_let_in_exactly_where_its_rank_allows(app: Any, client: Any,
                                                           teacher_auth: Any,
                                                           reader: Any) -> None:
    auth = teacher_auth
    reader_id, reader_headers = reader
    checked = 0
    for rule, method, access in sorted(routes(app), key=lambda r: (r[0], r[1]) == LOGOUT):
        if access is None:
            continue
        role, reader_self = access
        url = url_for_rule(rule, reader_id)
        for who in (*STAFF_ROLES, "reader"):
            headers = reader_headers if who == "reader" else auth(who)
            allowed = allowed_for(who, role, reader_self)
            status = call(client, method, url, headers).status_code
            if allowed:
                assert status not in (401, 403), (rule, method, who, status)
            else:
                assert status == 403, (rule, method, who, status)
            assert status != 500, (rule, method, who)
            checked += 1
    assert checked > 180  # every route times six callers


def test_a_reader_cannot_reach_another_readers_account(app: Any, client: Any,
                                                       reader: Any) -> None:
    _, reader_headers = reader
    for rule, method, access in routes(app):
        if access is None or access[1] is None:
            continue
        status = call(client, method, url_for_rule(rule, "somebody-else"), reader_headers).status_code
        assert status == 403, (rule, method, status)


def test_a_forged_or_garbled_token_is_refused(client: Any) -> None:
    for token in ("garbage", "eyJrIjoic3RhZmYifQ.forged.sig"):
        reply = client.get("/api/v1/readers", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 401 and reply.get_json()["code"] == "invalid_token"


def test_the_declared_access_rules_are_the_ones_in_force(app: Any) -> None:
    found = {(rule, method): access for rule, method, access in routes(app)}
    assert {key: found.get(key) for key in DECLARED} == DECLARED


def test_a_readers_own_export_is_always_their_own(client: Any, reader: Any) -> None:
    reader_id, reader_headers = reader
    mine = client.get("/api/v1/readers/me/export", headers=reader_headers)
    assert mine.status_code == 200 and mine.get_json()["reader_id"] == reader_id


BODY = {"barcode": "NOCOPY1"}  # a valid body, so the answer is about access, not the shape


def let_in(reply: Any) -> bool:
    """Past the access checks: anything but 401, 403 or child_not_linked (a renewal of a
    copy not on loan may still be refused by the rules)."""
    body = reply.get_json() or {}
    return reply.status_code not in (401, 403, 500) and body.get("code") != "child_not_linked"


def call_child(client: Any, method: str, url: str, headers: dict[str, str]) -> Any:
    return client.open(url, method=method, json=BODY if method == "POST" else None,
                       headers=headers)


def test_a_guardian_reaches_their_linked_childs_routes_and_nobody_else_does(
    app: Any, client: Any, auth: Any, reader: Any
) -> None:
    """Every route with a child in its path, as the child's guardian (let in), an unrelated
    reader naming themselves (child_not_linked) or the guardian (403), and the child."""
    guardian_id, guardian_headers = reader
    made = client.post("/api/v1/readers", json={"card_number": "K9", "name": "孩子",
                                                "pin": "1357", "category": "adult"},
                       headers=auth("desk"))
    child_id = made.get_json()["reader_id"]
    linked = client.post(f"/api/v1/readers/{guardian_id}/children",
                         json={"card_number": "K9", "pin": "1357"}, headers=guardian_headers)
    assert linked.status_code == 201, linked.get_json()
    client.post("/api/v1/readers", json={"card_number": "U1", "name": "旁人", "pin": "1111",
                                         "category": "adult"}, headers=auth("desk"))
    other = client.post("/api/v1/auth/token", json={"card_number": "U1", "pin": "1111"})
    other_headers = {"Authorization": f"Bearer {other.get_json()['token']}"}
    other_id = client.get("/api/v1/auth/me", headers=other_headers).get_json()["reader_id"]
    child_token = client.post("/api/v1/auth/token", json={"card_number": "K9", "pin": "1357"})
    child_headers = {"Authorization": f"Bearer {child_token.get_json()['token']}"}
    child_rules = [(r, m) for r, m, access in routes(app) if "<child_id>" in r and access]
    assert len(child_rules) >= 4
    for rule, method in child_rules:
        if method == "DELETE":
            continue  # unlinking is walked below, last
        mine = call_child(client, method, url_for_rule(rule, guardian_id, child_id),
                          guardian_headers)
        assert let_in(mine), (rule, method, mine.get_json())
        stranger = call_child(client, method, url_for_rule(rule, other_id, child_id),
                              other_headers)
        assert (stranger.status_code, stranger.get_json()["code"]) == (404, "child_not_linked")
        theirs = call_child(client, method, url_for_rule(rule, guardian_id, child_id),
                            other_headers)
        assert theirs.status_code == 403, (rule, method)
        back = call_child(client, method, url_for_rule(rule, child_id, guardian_id),
                          child_headers)
        assert back.get_json()["code"] == "child_not_linked", (rule, method)
        desk = call_child(client, method, url_for_rule(rule, guardian_id, child_id),
                          auth("desk"))
        assert let_in(desk), (rule, method)
    unlink = f"/api/v1/readers/{guardian_id}/children/{child_id}"
    assert client.delete(unlink, headers=other_headers).status_code == 403
    assert client.delete(unlink, headers=guardian_headers).status_code == 200
    loans = f"/api/v1/readers/{guardian_id}/children/{child_id}/loans"
    assert client.get(loans, headers=guardian_headers).status_code == 404
