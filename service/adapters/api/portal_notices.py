"""The reader portal's notices: the in-app notices centre and the reader's notice settings."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from projections.notice_mailbox import list_mailbox
from service.adapters.api.auth import require
from service.adapters.api.common import offset, page, perform, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.common import PageArgsSchema
from service.application import commands as c
from service.application import notice_settings

blp = Blueprint("portal_notices", __name__, url_prefix="/api/v1",
                description="The reader portal: notices centre and notice settings.")

SELF = {"reader_self": "reader_id"}


class InboxItemSchema(Schema):
    notice_id = fields.String()
    kind = fields.String()
    lang = fields.String()
    subject = fields.String()
    text = fields.String()
    delivered_at = fields.DateTime()


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


@blp.route("/readers/<reader_id>/inbox")
class ReaderInbox(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, InboxPageSchema)
    @require("desk", **SELF)
    def get(self, args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Notices delivered in the app (channel in_app, or the local mailbox), newest first."""
        # Operational rows (the mailbox table) joined to reader_profiles for the recipient.
        with read_model("reader_profiles") as conn:
            items, total = list_mailbox(conn, reader=reader_id, offset=offset(args),
                                        limit=args["page_size"])
        return page([i for i in items if i["reader_id"] == reader_id], total, args)


class NoticeSettingsSchema(Schema):
    muted_kinds = fields.List(fields.String(), load_default=list, metadata={
        "description": "Kinds shown only in the portal, never by e-mail or message."})
    quiet_start = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "HH:MM, library time."})
    quiet_end = fields.String(load_default=None, allow_none=True,
                              metadata={"description": "HH:MM, library time."})
    position = fields.Integer(dump_only=True)


def _settings_answer(reader_id: str) -> dict[str, Any]:
    found = notice_settings.notice_settings(ports(), reader_id)
    hhmm = (lambda t: t.strftime("%H:%M") if t else None)  # noqa: E731
    return {"muted_kinds": sorted(found.muted_kinds), "quiet_start": hhmm(found.quiet_start),
            "quiet_end": hhmm(found.quiet_end)}


@blp.route("/readers/<reader_id>/notice-settings")
class ReaderNoticeSettings(MethodView):
    # Folded from the reader's stream, so always current: no min_position to wait for.
    @blp.response(200, NoticeSettingsSchema)
    @require("desk", **SELF)
    def get(self, reader_id: str) -> dict[str, Any]:
        """Kinds kept to the portal and the quiet hours."""
        return _settings_answer(reader_id)

    @blp.arguments(NoticeSettingsSchema)
    @blp.response(200, NoticeSettingsSchema)
    @require("desk", **SELF)
    def put(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Replace them (invalid_notice_settings with per-field messages)."""
        outcome = perform(c.SetNoticeSettings(reader_id, tuple(data["muted_kinds"]),
                                              data["quiet_start"], data["quiet_end"]))
        return {**_settings_answer(reader_id), "position": outcome.position}
