"""The first slice through the API: readers and the catalogue, with problem details."""

from __future__ import annotations

from typing import Any


def register(client: Any, headers: dict[str, str], **overrides: Any) -> Any:
    body = {"card_number": "R0001", "name": "李华", "category": "adult",
            "phone": "13800138000", "email": "lihua@example.cn", "pin": "1234"}
    body.update(overrides)
    return client.post("/api/v1/readers", json=body, headers=headers)


def test_a_registered_reader_can_be_read_back_and_found_by_chinese_name(client, auth) -> None:
    reply = register(client, auth("desk"))
    assert reply.status_code == 201
    body = reply.get_json()
    assert body["position"] >= 1
    profile = client.get(f"/api/v1/readers/{body['reader_id']}?min_position={body['position']}",
                         headers=auth("desk")).get_json()
    assert profile["name"] == "李华" and profile["card_number"] == "R0001"
    found = client.get("/api/v1/readers?q=李", headers=auth("desk")).get_json()
    assert [r["card_number"] for r in found["items"]] == ["R0001"] and found["total"] == 1


def test_a_duplicate_card_number_is_refused_with_a_stable_code(client, auth) -> None:
    register(client, auth("desk"))
    reply = register(client, auth("desk"), name="另一个人")
    assert reply.status_code == 409
    assert reply.content_type == "application/problem+json"
    assert reply.get_json()["code"] == "card_number_taken"
    assert "card_number" in reply.get_json()["errors"]


def test_invalid_fields_get_per_field_messages_and_append_nothing(client, auth, lector) -> None:
    reply = client.post("/api/v1/readers", json={"card_number": "", "name": 5, "bogus": 1,
                                                 "category": "adult", "email": "nope"},
                        headers=auth("desk"))
    assert reply.status_code == 422
    errors = reply.get_json()["errors"]
    assert {"card_number", "name", "bogus", "email"} <= set(errors)
    assert lector.store.last_position() == 0


def test_malformed_json_is_a_400_problem(client, auth) -> None:
    reply = client.post("/api/v1/readers", data="{not json",
                        headers={**auth("desk"), "Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.get_json()["code"] == "malformed_json"


def test_an_oversize_body_is_refused(client, auth) -> None:
    reply = client.post("/api/v1/titles", data="x" * (2 * 1024 * 1024),
                        headers={**auth("librarian"), "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert reply.get_json()["code"] == "payload_too_large"


def test_a_title_with_a_bad_isbn_is_refused_and_a_good_one_is_normalised(client, auth) -> None:
    bad = client.post("/api/v1/titles", json={"title": "三体", "isbn": "978-7-5366-9293-1"},
                      headers=auth("librarian"))
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_isbn"
    good = client.post("/api/v1/titles", json={"title": "三体", "authors": ["刘慈欣"],
                                               "isbn": "7-5366-9293-5", "clc_class": "I247.55"},
                       headers=auth("librarian"))
    assert good.status_code == 201
    title = client.get(f"/api/v1/titles/{good.get_json()['title_id']}",
                       headers=auth("desk")).get_json()
    assert title["isbn"] == "9787536692930"
    assert title["availability"]["available"] == 0


def test_copies_make_a_title_available_and_barcodes_are_unique(client, auth) -> None:
    title_id = client.post("/api/v1/titles", json={"title": "活着", "authors": ["余华"]},
                           headers=auth("librarian")).get_json()["title_id"]
    first = client.post("/api/v1/copies", json={"barcode": "B001", "title_id": title_id,
                                                "branch": "main"}, headers=auth("librarian"))
    dup = client.post("/api/v1/copies", json={"barcode": "B001", "title_id": title_id,
                                              "branch": "main"}, headers=auth("librarian"))
    assert first.status_code == 201 and dup.get_json()["code"] == "barcode_taken"
    found = client.get("/api/v1/titles?q=余华", headers=auth("desk")).get_json()
    assert found["items"][0]["availability"]["available"] == 1
    copy = client.get("/api/v1/copies/B001", headers=auth("desk")).get_json()
    assert copy["status"] == "available" and copy["title"] == "活着"


def test_the_same_idempotency_key_registers_one_reader(client, auth, lector) -> None:
    headers = {**auth("desk"), "Idempotency-Key": "abc-1"}
    first = register(client, headers)
    again = register(client, headers)
    assert first.get_json()["reader_id"] == again.get_json()["reader_id"]
    assert again.get_json()["replayed"] is True
    assert lector.store.last_position() == 1


def test_a_reader_token_sees_only_that_readers_profile(client, auth) -> None:
    mine = register(client, auth("desk")).get_json()["reader_id"]
    other = register(client, auth("desk"), card_number="R0002").get_json()["reader_id"]
    token = client.post("/api/v1/auth/token", json={"card_number": "R0001", "pin": "1234"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get(f"/api/v1/readers/{mine}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/readers/{other}", headers=headers).status_code == 403
    assert client.get("/api/v1/readers", headers=headers).status_code == 403


def test_the_openapi_document_describes_the_api(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/readers" in spec["paths"] and "/api/v1/titles/{title_id}" in spec["paths"]


def test_the_events_feed_shows_actor_and_channel(client, auth) -> None:
    register(client, {**auth("desk"), "X-Lector-Channel": "desk"})
    feed = client.get("/api/v1/events?after=0", headers=auth("admin")).get_json()
    assert feed["items"][0]["meta"]["actor"] == "staff:desk1"
    assert feed["items"][0]["meta"]["channel"] == "desk"
    assert client.get("/api/v1/events", headers=auth("librarian")).status_code == 403


def test_health_reports_database_and_lag(client) -> None:
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.get_json()["database"]["status"] == "ok"
    assert "lector_events_appended" in client.get("/metrics").get_data(as_text=True)
