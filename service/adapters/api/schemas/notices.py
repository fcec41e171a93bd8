"""Request and response shapes for notices and their templates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import PageArgsSchema, PageSchema, PositionSchema

KINDS = ("reservation_ready", "pickup_reminder", "due_soon", "overdue", "hold_expired",
         "hold_cancelled", "fine_assessed", "feedback_answered", "suggestion_decided", "digest",
         "activity_reminder", "campaign_new_arrivals", "campaign_we_miss_you",
         "campaign_activity", "campaign_survey")
STATUSES = ("pending", "sent", "failed", "cancelled", "gave_up")
SOURCE = validate.Length(min=1, max=20000)


class NoticeListArgsSchema(PageArgsSchema):
    reader = fields.String(load_default=None, validate=validate.Length(max=64))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class ReaderNoticeArgsSchema(PageArgsSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class NoticeSchema(Schema):
    notice_id = fields.String(required=True)
    notice_key = fields.String(required=True)
    reader_id = fields.String(required=True)
    kind = fields.String(required=True)
    channel = fields.String(metadata={"description": "Channels it went out on, comma-separated."})
    status = fields.String(required=True, metadata={"description": "pending, sent, failed, "
                                                                   "cancelled, gave_up."})
    attempts = fields.Integer(metadata={"description": "Failures recorded (one per state "
                                                   "change); after gave_up, the tries made."})
    message_id = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    digest_key = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class NoticePageSchema(PageSchema):
    items = fields.List(fields.Nested(NoticeSchema), required=True)


class MailboxArgsSchema(PageArgsSchema):
    reader = fields.String(load_default=None, validate=validate.Length(max=64),
                           metadata={"description": "Reader id or card number."})


class MailboxMessageSchema(Schema):
    notice_id = fields.String(required=True)
    notice_key = fields.String(required=True)
    reader_id = fields.String(required=True, metadata={"description": "The recipient."})
    card_number = fields.String(allow_none=True)
    reader_name = fields.String(allow_none=True)
    kind = fields.String(required=True)
    lang = fields.String(required=True, metadata={"description": "The reader's language."})
    subject = fields.String(required=True)
    text = fields.String(required=True)
    html = fields.String(required=True)
    delivered_at = fields.DateTime(required=True)


class MailboxPageSchema(PageSchema):
    items = fields.List(fields.Nested(MailboxMessageSchema), required=True)


class ResendResultSchema(PositionSchema):
    notice_key = fields.String(required=True, metadata={"description": "Key of the new send."})


class TemplateSchema(Schema):
    kind = fields.String(required=True)
    lang = fields.String(required=True)
    part = fields.String(required=True)
    source = fields.String(required=True)
    customised = fields.Boolean(required=True,
                                metadata={"description": "False: the shipped template."})


class TemplateChangeSchema(Schema):
    source = fields.String(required=True, allow_none=True, validate=SOURCE,
                           metadata={"description": "Jinja2 source; null restores the shipped "
                                                    "template."})


class TemplateChangedSchema(PositionSchema):
    kind = fields.String(required=True)
    lang = fields.String(required=True)
    part = fields.String(required=True)


class PreviewRequestSchema(Schema):
    subject = fields.String(validate=SOURCE, metadata={"description": "Unsaved draft."})
    text = fields.String(validate=SOURCE)
    html = fields.String(validate=SOURCE)


class PreviewSchema(Schema):
    subject = fields.String(required=True)
    text = fields.String(required=True)
    html = fields.String(required=True)
