"""Request and response shapes for self-check kiosk accounts (SIP2 logins)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import LANGUAGES
from service.application.kiosks import CHARSETS, MIN_PASSWORD

KIOSK_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$",
                           error="1-64 letters, digits, '.', '_' or '-'.")


class CreateKioskSchema(Schema):
    kiosk_id = fields.String(required=True, validate=KIOSK_ID,
                             metadata={"description": "Recorded in events as kiosk:<kiosk_id>."})
    login_user = fields.String(required=True, validate=KIOSK_ID,
                               metadata={"description": "SIP2 login user id (CN)."})
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=MIN_PASSWORD, max=200),
                             metadata={"description": "SIP2 login password (CO); stored hashed."})
    institution_id = fields.String(required=True, validate=KIOSK_ID,
                                   metadata={"description": "Institution id (AO) in replies."})
    location = fields.String(required=True, validate=KIOSK_ID,
                             metadata={"description": "Branch code where the kiosk stands."})
    charset = fields.String(load_default="utf-8", validate=validate.OneOf(CHARSETS))
    language = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))


class KioskSchema(Schema):
    kiosk_id = fields.String(required=True)
    login_user = fields.String(required=True)
    institution_id = fields.String(required=True)
    location = fields.String(required=True)
    charset = fields.String(required=True)
    language = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
