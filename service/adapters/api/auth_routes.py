"""Token issuing for staff (username + password) and readers (card number + PIN); logout."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from service.adapters.api.auth import current_principal, require
from service.adapters.api.common import lector
from service.adapters.api.openapi import PROBLEM_BODY
from service.adapters.api.rate_limits import login_address_limit
from service.adapters.login_security import login_guard, token_versions
from service.application.accounts import revoke_tokens
from service.application.context import SIGNED_IN
from service.application.login import log_in
from service.application.token_versions import account_key
from service.application.tokens import issue_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Bearer tokens for staff and readers.")


def _utf8(value: str) -> None:
    """Refuse text with lone surrogates (JSON "\\ud800"): it cannot be hashed or looked up."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Must be valid UTF-8 text.") from None


def _credential(max_length: int, **kwargs: Any) -> fields.String:
    # Absent is allowed (the other kind of login is used); null or a non-string is a 422.
    return fields.String(allow_none=False, validate=[validate.Length(1, max_length), _utf8],
                         **kwargs)


class TokenRequestSchema(Schema):
    username = _credential(64)
    password = _credential(1024, load_only=True)
    card_number = _credential(64)
    pin = _credential(128, load_only=True)

    @validates_schema
    def one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Exactly one complete pair and nothing of the other: a null password next to a
        # card and PIN must not send the request down the staff path with no password.
        staff = [data.get("username"), data.get("password")]
        reader = [data.get("card_number"), data.get("pin")]
        staff_given = [v is not None for v in staff]
        reader_given = [v is not None for v in reader]
        if not ((all(staff_given) and not any(reader_given))
                or (all(reader_given) and not any(staff_given))):
            raise ValidationError("Give either username and password, or card_number and pin.",
                                  "_schema")

    @post_load
    def absent_as_none(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {name: data.get(name) for name in self.fields}


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    role = fields.String()
    reader_id = fields.String(allow_none=True)


class WhoAmISchema(Schema):
    kind = fields.String()
    id = fields.String()
    role = fields.String()
    reader_id = fields.String(allow_none=True)


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, **PROBLEM_BODY,
                      description="Wrong credentials (invalid_credentials).")
    @blp.alt_response(429, **PROBLEM_BODY,
                      description="Too many attempts for this account (too_many_attempts) "
                      "or from this address (too_many_requests); see Retry-After.")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange credentials for a bearer token (attempts are limited)."""
        app = lector()
        with login_address_limit():
            principal = log_in(app.ports, login_guard(app), data, channel="api")
        # The stored version, not a cached one: a token stamped with a stale version would
        # be refused as soon as the cache expired.
        version = token_versions(app).fresh(account_key(principal))
        token = issue_token(app.config.secret_key, principal, version)
        return {
            "token": token, "token_type": "Bearer",
            "expires_in": app.config.token_max_age_s, "role": principal.role,
            "reader_id": principal.reader_id,
        }


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @require(SIGNED_IN)
    def post(self) -> None:
        """Revoke every token of the calling account (on all devices)."""
        app = lector()
        account = account_key(current_principal())
        revoke_tokens(app.engine, account)
        token_versions(app).forget(account)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, WhoAmISchema)
    @require(SIGNED_IN)
    def get(self) -> dict[str, Any]:
        """Who the token belongs to."""
        p = current_principal()
        return {"kind": p.kind, "id": p.id, "role": p.role, "reader_id": p.reader_id}
