"""Holds (reservations): place, cancel, list; expiry of uncollected holds."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.hold_queue import list_holds
from service.adapters.api.auth import current_actor, current_principal, idempotency_key, require
from service.adapters.api.common import answer, offset, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import (
    CancelHoldArgsSchema,
    CommandResultSchema,
    HoldListArgsSchema,
    HoldSchema,
    PlaceHoldSchema,
)
from service.application import circulation
from service.application.hold_expiry import expire_due_holds
from service.domain.errors import Invalid

blp = Blueprint("holds", __name__, url_prefix="/api/v1/holds",
                description="Title-level, first-come-first-served holds.")


@blp.route("")
class Holds(MethodView):
    @blp.arguments(PlaceHoldSchema)
    @blp.response(201, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Place a hold (readers for themselves; staff name the card)."""
        principal = current_principal()
        if principal.kind == "reader":
            reader_id = principal.reader_id or ""
        elif data["card_number"]:
            reader_id = circulation.reader_for_card(ports(), data["card_number"])
        else:
            raise Invalid("invalid_request", "card_number is required for staff.",
                          "工作人员须提供读者证号。", fields={"card_number": ["Required."]})
        return answer(circulation.place_hold(ports(), current_actor(), reader_id,
                                             data["title_id"], data["pickup_branch"],
                                             idempotency_key(), data["enumeration"]))

    @blp.arguments(HoldListArgsSchema, location="query")
    @blp.response(200, HoldSchema(many=True))
    @require("desk")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Holds by status (waiting, trapped, ...) with derived queue positions."""
        with read_model("hold_queue") as conn:
            return list_holds(conn, status=args["status"], title_id=args["title_id"],
                              offset=offset(args),
                              limit=args["page_size"])


@blp.route("/<hold_id>")
class Hold(MethodView):
    @blp.arguments(CancelHoldArgsSchema, location="query")
    @blp.response(200, CommandResultSchema)
    @require("reader")
    def delete(self, args: dict[str, Any], hold_id: str) -> dict[str, Any]:
        """Cancel a hold; a copy set aside for it passes to the next reader."""
        principal = current_principal()
        only = principal.reader_id if principal.kind == "reader" else None
        return answer(circulation.cancel_hold(ports(), current_actor(), hold_id, args["reason"],
                                              idempotency_key(), only_reader=only))


@blp.route("/expire")
class Expire(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self) -> dict[str, Any]:
        """Expire every hold whose pickup deadline has passed (the hourly job, on demand)."""
        return expire_due_holds(ports(), current_actor())
