"""Copy endpoints: add, look up by barcode, withdraw."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.catalogue import get_copy, get_title
from service.adapters.api.auth import current_actor, idempotency_key, require
from service.adapters.api.common import answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.catalogue import (
    AddCopySchema,
    CopyCommandResultSchema,
    CopySchema,
    WithdrawSchema,
)
from service.adapters.api.schemas.circulation import TimelineSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.application import catalogue as handlers
from service.application.history import copy_history
from service.domain.errors import NotFound

blp = Blueprint("copies", __name__, url_prefix="/api/v1/copies",
                description="Physical copies identified by barcode.")


@blp.route("")
class Copies(MethodView):
    @blp.arguments(AddCopySchema)
    @blp.response(201, CopyCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a copy of a catalogued title (barcodes are unique)."""
        cmd = handlers.AddCopy(**data)
        return answer(handlers.add_copy(ports(), current_actor(), cmd, idempotency_key()))


@blp.route("/<barcode>")
class Copy(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, CopySchema)
    @require("desk")
    def get(self, _args: dict[str, Any], barcode: str) -> dict[str, Any]:
        """A copy with its circulation status."""
        with read_model("catalogue") as conn:
            row = get_copy(conn, barcode)
            if row is None:
                raise NotFound("copy_not_found", "Copy not found.", "未找到该册。")
            title = get_title(conn, row["title_id"])
        return {**row, "title": title["title"] if title else None}


@blp.route("/<barcode>/withdraw")
class CopyWithdraw(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, CopyCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], barcode: str) -> dict[str, Any]:
        """Withdraw a copy from circulation."""
        return answer(handlers.withdraw_copy(
            ports(), current_actor(), barcode, data["reason"], idempotency_key()
        ))


@blp.route("/<barcode>/history")
class CopyHistory(MethodView):
    @blp.response(200, TimelineSchema)
    @require("desk")
    def get(self, barcode: str) -> dict[str, Any]:
        """Every event of the copy with time, actor and channel (from the log)."""
        items = copy_history(ports(), barcode)
        if not items:
            raise NotFound("copy_not_found", "Copy not found.", "未找到该册。")
        return {"items": items}
