"""Request and response shapes for staff accounts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.application.accounts import ROLES
from service.application.staff import MIN_PASSWORD

USERNAME = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}$",
                           error="1-64 letters, digits, '.', '_', '@' or '-'.")
PASSWORD = validate.Length(min=MIN_PASSWORD, max=1024)


class CreateStaffSchema(Schema):
    username = fields.String(required=True, validate=USERNAME,
                             metadata={"description": "Recorded in events as staff:<username>."})
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(load_default=None, validate=validate.Length(1, 200))


class ResetPasswordSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class ChangeRoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class StaffSchema(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True)
    display_name = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
