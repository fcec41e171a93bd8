"""Reader endpoints: thin views that parse, call one handler, and serialise."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.reader_profiles import get_reader, list_readers
from service.adapters.api.auth import current_actor, current_principal, idempotency_key, require
from service.adapters.api.common import answer, lector, offset, page, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.readers import (
    BlockSchema,
    ChangeCategorySchema,
    EraseReaderSchema,
    EraseResultSchema,
    PreferencesSchema,
    ReaderCommandResultSchema,
    ReaderExportSchema,
    ReaderListArgsSchema,
    ReaderPageSchema,
    ReaderSchema,
    RegisterReaderSchema,
    UnblockSchema,
    UpdateReaderSchema,
)
from service.application import erasure
from service.application import readers as handlers
from service.application.reader_export import reader_export
from service.domain.errors import NotFound

blp = Blueprint("readers", __name__, url_prefix="/api/v1/readers",
                description="Readers: registration, contact, category, blocks, preferences.")


def _reader_or_404(reader_id: str) -> dict[str, Any]:
    with read_model("reader_profiles") as conn:
        row = get_reader(conn, reader_id)
    if row is None:
        raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
    return row


@blp.route("")
class Readers(MethodView):
    @blp.arguments(RegisterReaderSchema)
    @blp.response(201, ReaderCommandResultSchema)
    @require("desk")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a reader."""
        data["notice_channels"] = tuple(data["notice_channels"])
        cmd = handlers.RegisterReader(**data)
        return answer(handlers.register_reader(ports(), current_actor(), cmd, idempotency_key()))

    @blp.arguments(ReaderListArgsSchema, location="query")
    @blp.response(200, ReaderPageSchema)
    @require("desk")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Find readers by card number or free text (name, phone, e-mail)."""
        with read_model("reader_profiles") as conn:
            items, total = list_readers(
                conn, q=args["q"], card_number=args["card_number"], category=args["category"],
                offset=offset(args), limit=args["page_size"],
            )
        return page(items, total, args)


@blp.route("/<reader_id>")
class Reader(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ReaderSchema)
    @require("desk", reader_self="reader_id")
    def get(self, _args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """One reader's profile (staff, or the reader themself)."""
        return _reader_or_404(reader_id)

    @blp.arguments(UpdateReaderSchema)
    @blp.response(200, ReaderCommandResultSchema)
    @require("desk")
    def patch(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Change contact details (and optionally the PIN)."""
        pin = data.pop("pin", None)
        return answer(handlers.update_reader(
            ports(), current_actor(), reader_id, data, idempotency_key(), pin=pin
        ))


@blp.route("/<reader_id>/category")
class ReaderCategory(MethodView):
    @blp.arguments(ChangeCategorySchema)
    @blp.response(200, ReaderCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Move a reader to another category."""
        return answer(handlers.change_category(
            ports(), current_actor(), reader_id, data["category"], idempotency_key()
        ))


@blp.route("/<reader_id>/block")
class ReaderBlock(MethodView):
    @blp.arguments(BlockSchema)
    @blp.response(200, ReaderCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Block a reader by hand, with a reason shown at every refusal."""
        return answer(handlers.block_reader(
            ports(), current_actor(), reader_id, data["reason"], idempotency_key()
        ))


@blp.route("/<reader_id>/unblock")
class ReaderUnblock(MethodView):
    @blp.arguments(UnblockSchema)
    @blp.response(200, ReaderCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Lift a manual block."""
        return answer(handlers.unblock_reader(
            ports(), current_actor(), reader_id, data["note"], idempotency_key()
        ))


@blp.route("/<reader_id>/preferences")
class ReaderPreferences(MethodView):
    @blp.arguments(PreferencesSchema)
    @blp.response(200, ReaderCommandResultSchema)
    @require("desk", reader_self="reader_id")
    def put(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Language, notice channels, digest and whether to keep reading history."""
        if "notice_channels" in data:
            data["notice_channels"] = tuple(data["notice_channels"])
        return answer(handlers.set_preferences(
            ports(), current_actor(), reader_id, idempotency_key(), **data
        ))


@blp.route("/<reader_id>/erase")
class ReaderErase(MethodView):
    @blp.arguments(EraseReaderSchema)
    @blp.response(200, EraseResultSchema)
    @require("admin")
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Erase a reader for good (PIPL Art. 47): their key, PIN and personal data go.

        Refused with 409 `reader_has_open_loans` / `reader_has_unpaid_fines` unless `force`;
        a second erase answers 409 `reader_already_erased`.
        """
        outcome = erasure.erase_reader(ports(), current_actor(), reader_id, data["reason"],
                                       data["force"], idempotency_key())
        settled = erasure.settle(lector().engine, outcome.position)
        return {**answer(outcome), "settled": settled}


def _export(reader_id: str) -> dict[str, Any]:
    with read_model(*erasure.HOLDERS) as conn:
        return reader_export(ports(), conn, reader_id, lector().config.currency)


@blp.route("/me/export")
class MyExport(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ReaderExportSchema)
    @require("reader")
    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        """A reader's copy of everything the library holds about them (reader token only)."""
        principal = current_principal()
        if principal.kind != "reader" or principal.reader_id is None:
            raise NotFound("not_a_reader", "Only a reader has data of their own to export; "
                           "staff use /readers/{id}/export.", "只有读者本人可导出自己的数据；"
                           "工作人员请用 /readers/{id}/export。")
        return _export(principal.reader_id)


@blp.route("/<reader_id>/export")
class ReaderExport(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ReaderExportSchema)
    @require("librarian", reader_self="reader_id")
    def get(self, _args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Everything held about one reader (librarians and admins, or the reader themself)."""
        return _export(reader_id)
