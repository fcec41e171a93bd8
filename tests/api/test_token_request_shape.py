"""A token request mixing staff and reader fields never crashes the sign-in (was a 500)."""

from __future__ import annotations

from typing import Any


def test_a_username_with_a_null_password_signs_in_the_reader_or_no_one(
        client: Any, auth: Any) -> None:
    made = client.post("/api/v1/readers", json={"card_number": "R0001", "name": "李华",
                                                "category": "adult", "pin": "1234"},
                       headers=auth("desk"))
    assert made.status_code == 201
    reply = client.post("/api/v1/auth/token", json={
        "username": "desk1", "password": None, "card_number": "R0001", "pin": "1234"})
    assert reply.status_code == 200 and reply.get_json()["role"] == "reader"
    wrong = client.post("/api/v1/auth/token", json={
        "username": "desk1", "password": None, "card_number": "R0001", "pin": "0000"})
    assert wrong.status_code == 401
