"""A token request mixing staff and reader fields never crashes the sign-in (was a 500)."""

from __future__ import annotations

from typing import Any


def test_a_username_with_a_null_password_beside_a_card_is_refused_as_invalid_not_a_crash(
        client: Any, auth: Any) -> None:
    made = client.post("/api/v1/readers", json={"card_number": "R0001", "name": "李华",
                                                "category": "adult", "pin": "1234"},
                       headers=auth("desk"))
    assert made.status_code == 201
    for pin in ("1234", "0000"):
        reply = client.post("/api/v1/auth/token", json={
            "username": "desk1", "password": None, "card_number": "R0001", "pin": pin})
        assert reply.status_code == 422, reply.get_json()
        assert reply.content_type.startswith("application/problem+json")
    # The reader's own pair alone still signs in.
    alone = client.post("/api/v1/auth/token", json={"card_number": "R0001", "pin": "1234"})
    assert alone.status_code == 200 and alone.get_json()["role"] == "reader"
