"""POST /api/v1/auth/token refuses malformed credentials with a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from service.application.accounts import create_staff, hash_secret, verify_secret

MALFORMED = [
    # The body schemathesis once sent on PostgreSQL: a null password beside a reader login.
    ('{"username": "clerk", "password": null, "card_number": "C1", "pin": "1234"}', "password"),
    ('{"username": "clerk", "password": null}', "password"),
    ('{"username": null, "password": "clerk-pass-1"}', "username"),
    ('{"card_number": "C1", "pin": null}', "pin"),
    ('{"username": 7, "password": "clerk-pass-1"}', "username"),
    ('{"username": "clerk", "password": ["clerk-pass-1"]}', "password"),
    ('{"username": "clerk", "password": "\\ud800"}', "password"),
    ('{"username": "\\udfff", "password": "clerk-pass-1"}', "username"),
    ('{"card_number": "\\ud83d", "pin": "1234"}', "card_number"),
    ('{"username": "clerk", "password": ""}', "password"),
    ('{"username": "%s", "password": "clerk-pass-1"}' % ("u" * 65), "username"),
    ('{"username": "clerk", "password": "%s"}' % ("p" * 1025), "password"),
]


@pytest.mark.parametrize(("body", "field"), MALFORMED)
def test_a_malformed_credential_is_a_422_naming_the_field(client: Any, body: str,
                                                          field: str) -> None:
    reply = client.post("/api/v1/auth/token", data=body.encode(),
                        content_type="application/json")
    assert reply.status_code == 422, reply.get_data(as_text=True)
    assert reply.mimetype == "application/problem+json"
    assert field in reply.get_json()["errors"]


def test_well_formed_credentials_still_sign_in(client: Any, lector: Any) -> None:
    create_staff(lector.engine, "clerk", "clerk-pass-1", "desk")
    good = client.post("/api/v1/auth/token", json={"username": "clerk",
                                                    "password": "clerk-pass-1"})
    wrong = client.post("/api/v1/auth/token", json={"username": "clerk", "password": "nope"})
    assert good.status_code == 200 and good.get_json()["role"] == "desk"
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_credentials"


@pytest.mark.parametrize("secret", [None, 1234, b"bytes", "\ud800"])
def test_verify_secret_calls_a_secret_it_cannot_hash_wrong(secret: Any) -> None:
    assert verify_secret(hash_secret("right-secret"), secret) is False
    assert verify_secret(None, secret) is False
