"""Request and response shapes for readers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import CHANNELS, LANGUAGES, PageArgsSchema, PageSchema, not_blank

CARD = validate.Regexp(r"^[A-Za-z0-9\-]{1,32}$", error="Letters, digits and '-' only (max 32).")
PHONE = validate.Regexp(r"^\+?[0-9][0-9\- ]{4,19}$", error="Not a valid phone number.")
PIN = validate.Regexp(r"^[0-9]{4,12}$", error="4 to 12 digits.")
CATEGORY = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Lower-case letters, digits, '_'.")


class ReaderContactMixin(Schema):
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    email = fields.Email(load_default=None, allow_none=True)
    id_number = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=32))
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=400))
    expires_on = fields.Date(load_default=None, allow_none=True)
    home_branch = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=64))


class RegisterReaderSchema(ReaderContactMixin):
    card_number = fields.String(required=True, validate=CARD)
    name = fields.String(required=True, validate=[not_blank, validate.Length(max=200)])
    category = fields.String(required=True, validate=CATEGORY)
    language = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))
    notice_channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)),
                                  load_default=lambda: ["email"])
    keep_history = fields.Boolean(load_default=True)
    pin = fields.String(load_default=None, allow_none=True, validate=PIN, load_only=True)


class UpdateReaderSchema(Schema):
    name = fields.String(validate=[not_blank, validate.Length(max=200)])
    phone = fields.String(allow_none=True, validate=PHONE)
    email = fields.Email(allow_none=True)
    id_number = fields.String(allow_none=True, validate=validate.Length(max=32))
    address = fields.String(allow_none=True, validate=validate.Length(max=400))
    expires_on = fields.Date(allow_none=True)
    home_branch = fields.String(allow_none=True, validate=validate.Length(max=64))
    pin = fields.String(validate=PIN, load_only=True)


class ChangeCategorySchema(Schema):
    category = fields.String(required=True, validate=CATEGORY)


class BlockSchema(Schema):
    reason = fields.String(required=True, validate=[not_blank, validate.Length(max=400)])


class UnblockSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=400))


class PreferencesSchema(Schema):
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    notice_channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)))
    keep_history = fields.Boolean()
    digest = fields.Boolean()
    marketing = fields.Boolean()


class ReaderSchema(Schema):
    reader_id = fields.String()
    card_number = fields.String()
    name = fields.String(allow_none=True)
    category = fields.String()
    language = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    notice_channels = fields.List(fields.String())
    keep_history = fields.Boolean()
    digest = fields.Boolean()
    marketing = fields.Boolean()
    expires_on = fields.Date(allow_none=True)
    home_branch = fields.String(allow_none=True)
    manual_block = fields.String(allow_none=True)
    erased = fields.Boolean()
    registered_at = fields.DateTime()
    updated_at = fields.DateTime()


class ReaderCommandResultSchema(Schema):
    reader_id = fields.String()
    card_number = fields.String()
    position = fields.Integer()
    replayed = fields.Boolean()


class ReaderListArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    card_number = fields.String(load_default=None, validate=validate.Length(max=32))
    category = fields.String(load_default=None, validate=validate.Length(max=32))
    segment = fields.String(load_default=None, validate=validate.OneOf(
        ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")),
        metadata={"description": "Only readers in this segment at the latest refresh."})


class ReaderPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReaderSchema))


class EraseReaderSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), not_blank],
                           metadata={"description": "Why (a ticket or request number; no "
                                                    "personal data: it stays in the log)."})
    force = fields.Boolean(load_default=False, metadata={
        "description": "Erase although loans or unpaid fines are still open."})


class EraseResultSchema(Schema):
    reader_id = fields.String()
    erased = fields.Boolean()
    forced = fields.Boolean()
    open_loans = fields.Integer()
    owed_fen = fields.Integer()
    cancelled_holds = fields.List(fields.Dict(), metadata={
        "description": "Holds cancelled first: hold_id, and passed_to (the next reader a "
                       "copy set aside for the hold went to, if any)."})
    settled = fields.Boolean(metadata={
        "description": "Every read model had dropped the data when the answer was sent."})
    position = fields.Integer()
    replayed = fields.Boolean()


class ReaderExportSchema(Schema):
    """Everything held about one reader; sections are the read models' own rows."""

    reader_id = fields.String()
    exported_at = fields.String()
    profile = fields.Dict()
    loans = fields.List(fields.Dict())
    history = fields.Dict()
    holds = fields.List(fields.Dict())
    fines = fields.Dict()
    payments = fields.List(fields.Dict())
    feedback = fields.List(fields.Dict())
    suggestions = fields.List(fields.Dict())
    notices = fields.List(fields.Dict())
    activities = fields.List(fields.Dict())
    survey_answers = fields.List(fields.Dict(), metadata={
        "description": "Answers to named surveys (anonymous answers name nobody)."})
    events = fields.List(fields.Dict())
