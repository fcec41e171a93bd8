"""Token issuing for staff (username + password) and readers (card number + PIN)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from service.api.auth import Unauthorized, current_principal, require
from service.api.common import lector
from service.core.accounts import authenticate_staff, check_reader_pin
from service.core.context import Principal
from service.core.readers import reader_id_for_card
from service.core.tokens import issue_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Bearer tokens for staff and readers.")


class TokenRequestSchema(Schema):
    username = fields.String(load_default=None)
    password = fields.String(load_default=None, load_only=True)
    card_number = fields.String(load_default=None)
    pin = fields.String(load_default=None, load_only=True)

    @validates_schema
    def one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        staff = data.get("username") is not None and data.get("password") is not None
        reader = data.get("card_number") is not None and data.get("pin") is not None
        if staff == reader:
            raise ValidationError("Give either username and password, or card_number and pin.",
                                  "_schema")


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
        if data["username"] is not None and data["password"] is not None:  # else a reader
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
