"""Token issuing for staff (username + password) and readers (card number + PIN)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from service.api.auth import Unauthorized, current_principal, require
from service.api.common import lector
from service.core.accounts import authenticate_staff, check_reader_pin
from service.core.context import Principal
from service.core.readers import reader_id_for_card
from service.core.tokens import issue_token

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
        staff = data.get("username") is not None and data.get("password") is not None
        reader = data.get("card_number") is not None and data.get("pin") is not None
        if staff == reader:
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


def _bad_credentials() -> Unauthorized:
    return Unauthorized("invalid_credentials", "Wrong credentials.", "账号或密码错误。")


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange credentials for a bearer token."""
        app = lector()
        principal: Principal | None
        if data["username"] is not None:
            principal = authenticate_staff(app.engine, data["username"], data["password"])
        else:
            reader_id = reader_id_for_card(app.ports, data["card_number"])
            principal = None
            if reader_id and check_reader_pin(app.engine, reader_id, data["pin"]):
                principal = Principal("reader", data["card_number"], "reader", reader_id)
            elif reader_id is None:
                check_reader_pin(app.engine, "", data["pin"])  # same cost either way
        if principal is None:
            raise _bad_credentials()
        return {
            "token": issue_token(app.config.secret_key, principal), "token_type": "Bearer",
            "expires_in": app.config.token_max_age_s, "role": principal.role,
            "reader_id": principal.reader_id,
        }


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, WhoAmISchema)
    @require("reader")
    def get(self) -> dict[str, Any]:
        """Who the token belongs to."""
        p = current_principal()
        return {"kind": p.kind, "id": p.id, "role": p.role, "reader_id": p.reader_id}
