"""Notice endpoints: the outbox for staff and readers, resends, and staff-edited templates."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.notice_mailbox import list_mailbox
from projections.notice_outbox import get_notice, list_notices
from service.adapters.api.auth import current_actor, idempotency_key, require
from service.adapters.api.common import answer, offset, page, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.notices import (
    MailboxArgsSchema,
    MailboxPageSchema,
    NoticeListArgsSchema,
    NoticePageSchema,
    NoticeSchema,
    PreviewRequestSchema,
    PreviewSchema,
    ReaderNoticeArgsSchema,
    ResendResultSchema,
    TemplateChangedSchema,
    TemplateChangeSchema,
    TemplateSchema,
)
from service.application import notices as handlers
from service.domain.errors import NotFound

blp = Blueprint("notices", __name__, url_prefix="/api/v1",
                description="Notices to readers: what was said and when; templates.")


def _page(args: dict[str, Any], reader_id: str | None) -> dict[str, Any]:
    with read_model("notice_outbox") as conn:
        items, total = list_notices(conn, reader_id=reader_id, kind=args["kind"],
                                    status=args["status"], offset=offset(args),
                                    limit=args["page_size"])
    return page(items, total, args)


@blp.route("/notices")
class Notices(MethodView):
    @blp.arguments(NoticeListArgsSchema, location="query")
    @blp.response(200, NoticePageSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Notices, newest first, by reader, kind and status."""
        return _page(args, args["reader"])


@blp.route("/notices/mailbox")
class Mailbox(MethodView):
    @blp.arguments(MailboxArgsSchema, location="query")
    @blp.response(200, MailboxPageSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The local mailbox: notices delivered here when no SMTP relay is configured."""
        # Operational rows, but ``reader`` may be a card number, found in reader_profiles.
        with read_model("reader_profiles") as conn:
            items, total = list_mailbox(conn, reader=args["reader"], offset=offset(args),
                                        limit=args["page_size"])
        return page(items, total, args)


@blp.route("/notices/<notice_id>")
class Notice(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, NoticeSchema)
    @require("librarian")
    def get(self, _args: dict[str, Any], notice_id: str) -> dict[str, Any]:
        """One notice."""
        return _notice_or_404(notice_id)


def _notice_or_404(notice_id: str) -> dict[str, Any]:
    with read_model("notice_outbox") as conn:
        row = get_notice(conn, notice_id_=notice_id)
    if row is None:
        raise NotFound("notice_not_found", "Notice not found.", "未找到该通知。")
    return row


@blp.route("/notices/<notice_id>/resend")
class NoticeResend(MethodView):
    @blp.response(202, ResendResultSchema)
    @require("librarian")
    def post(self, notice_id: str) -> dict[str, Any]:
        """Send a notice again, explicitly, under a new key (the original stays as it was)."""
        row = _notice_or_404(notice_id)
        return answer(handlers.resend_notice(ports(), current_actor(), row, idempotency_key()))


@blp.route("/readers/<reader_id>/notices")
class ReaderNotices(MethodView):
    @blp.arguments(ReaderNoticeArgsSchema, location="query")
    @blp.response(200, NoticePageSchema)
    @require("desk", reader_self="reader_id")
    def get(self, args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """What the library told one reader (staff, or the reader themself)."""
        return _page(args, reader_id)


@blp.route("/notice-templates/<kind>/<lang>/<part>")
class NoticeTemplate(MethodView):
    @blp.response(200, TemplateSchema)
    @require("admin")
    def get(self, kind: str, lang: str, part: str) -> dict[str, Any]:
        """The template in force for one kind, language and part (subject, text, html)."""
        return handlers.template_source(ports(), kind, lang, part)

    @blp.arguments(TemplateChangeSchema)
    @blp.response(200, TemplateChangedSchema)
    @require("admin")
    def put(self, data: dict[str, Any], kind: str, lang: str, part: str) -> dict[str, Any]:
        """Replace a template part (validated first); null restores the shipped one."""
        return answer(handlers.change_template(ports(), current_actor(), kind, lang, part,
                                               data["source"], idempotency_key()))


@blp.route("/notice-templates/<kind>/<lang>/preview")
class NoticeTemplatePreview(MethodView):
    @blp.arguments(PreviewRequestSchema)
    @blp.response(200, PreviewSchema)
    @require("admin")
    def post(self, drafts: dict[str, Any], kind: str, lang: str) -> dict[str, Any]:
        """Render a kind with the sample reader, with optional unsaved drafts of its parts."""
        return handlers.preview_template(ports(), kind, lang, drafts)
