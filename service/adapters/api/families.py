"""Guardians in the portal: link a child's card (child's PIN, or staff at the desk), see the
child's loans and holds, renew for the child, unlink; a pupil's class reading lists."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from events.vocabulary import HoldStatus
from projections.catalogue import availability_counts, get_title
from projections.families import get_class, list_children, list_classes
from projections.hold_queue import list_holds
from projections.reader_profiles import get_reader
from service.adapters.api.auth import current_actor, current_principal, idempotency_key, require
from service.adapters.api.circulation import loans_query
from service.adapters.api.common import answer, lector, perform_answer, ports
from service.adapters.api.consistency import read_model, wait_for
from service.adapters.api.schemas.circulation import (
    BARCODE,
    CommandResultSchema,
    HoldSchema,
    LoanSchema,
    RenewResultSchema,
)
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.login_security import login_guard
from service.application import guardians
from service.application.accounts import check_reader_pin
from service.application.commands import LinkGuardian, UnlinkGuardian
from service.application.readers import reader_id_for_card
from service.domain.families import refusals

blp = Blueprint("families", __name__, url_prefix="/api/v1/readers",
                description="Guardians and their linked children; pupils' reading lists.")

SELF = {"reader_self": "reader_id"}
CARD = validate.Length(min=1, max=64)


class LinkChildSchema(Schema):
    card_number = fields.String(required=True, validate=CARD)
    pin = fields.String(load_default=None, validate=validate.Length(min=1, max=64), metadata={
        "description": "The child's PIN: required when a reader links; staff link without."})


class ChildSchema(Schema):
    child_id = fields.String(required=True)
    card_number = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    via = fields.String(metadata={"description": "pin (linked in the portal) or desk."})
    linked_at = fields.DateTime()
    loans = fields.Integer(metadata={"description": "Open loans."})
    overdue = fields.Integer(metadata={"description": "Open loans past their due date."})


class ChildRenewSchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)


class ListTitleSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    authors = fields.List(fields.String())
    available = fields.Integer(metadata={"description": "Copies on the shelf now."})
    total = fields.Integer(metadata={"description": "Copies that circulate."})


class PupilListSchema(Schema):
    class_id = fields.String(required=True)
    name = fields.String()
    school = fields.String()
    list_name = fields.String()
    titles = fields.List(fields.Nested(ListTitleSchema))


def titles_with_availability(conn: Any, title_ids: list[str]) -> list[dict[str, Any]]:
    """Titles in list order with copies available and circulating (not lost, withdrawn)."""
    counts = availability_counts(conn, title_ids)
    out = []
    for title_id in title_ids:
        row = get_title(conn, title_id) or {}
        c = counts.get(title_id, {})
        out.append({"title_id": title_id, "title": row.get("title"),
                    "authors": list(row.get("authors") or []),
                    "available": c.get("available", 0),
                    "total": sum(c.get(s, 0) for s in ("available", "on_loan", "trapped"))})
    return out


@blp.route("/<reader_id>/children")
class Children(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ChildSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """The children linked to this reader, with their open and overdue loan counts."""
        with read_model("families", "reader_profiles") as conn:
            rows = list_children(conn, reader_id)
            profiles = {r["child_id"]: get_reader(conn, r["child_id"]) or {} for r in rows}
        out = []
        for row in rows:
            loans = loans_query(reader=row["child_id"])
            profile = profiles[row["child_id"]]
            out.append({**row, "card_number": profile.get("card_number"),
                        "name": profile.get("name"), "loans": len(loans),
                        "overdue": sum(1 for loan in loans if loan["days_overdue"] > 0)})
        return out

    @blp.arguments(LinkChildSchema)
    @blp.response(201, CommandResultSchema)
    @require("desk", **SELF)
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Link a child's card: a reader gives the child's card number and PIN (counted like
        a login, so guessing locks the child's card); staff at the desk need no PIN."""
        principal = current_principal()
        child_id = reader_id_for_card(ports(), data["card_number"])
        via = "desk"
        if principal.kind == "reader":
            if data["pin"] is None:
                raise refusals.child_pin_required()
            guard = login_guard(lector())
            attempt = guard.attempt(f"reader:{child_id}" if child_id
                                    else f"card:{data['card_number']}", "portal")
            if child_id is None or not check_reader_pin(ports().engine, child_id, data["pin"]):
                raise refusals.child_pin_wrong()
            guard.succeeded(attempt)
            via = "pin"
        elif child_id is None:
            raise refusals.child_pin_wrong() if data["pin"] else _no_card()
        return perform_answer(LinkGuardian(child_id, reader_id, via))


def _no_card() -> Exception:
    from service.domain.circulation.refusals import reader_not_found

    return reader_not_found()


@blp.route("/<reader_id>/children/<child_id>")
class Child(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("desk", **SELF)
    def delete(self, reader_id: str, child_id: str) -> dict[str, Any]:
        """Unlink a child (the guardian or staff); child_not_linked if they were not."""
        return perform_answer(UnlinkGuardian(child_id, reader_id))


@blp.route("/<reader_id>/children/<child_id>/loans")
class ChildLoans(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, LoanSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str, child_id: str) -> list[dict[str, Any]]:
        """A linked child's open loans, soonest due first (child_not_linked otherwise)."""
        wait_for(("current_loans",))
        guardians.check_guardian(ports(), reader_id, child_id)
        return loans_query(reader=child_id)


@blp.route("/<reader_id>/children/<child_id>/holds")
class ChildHolds(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, HoldSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str, child_id: str) -> list[dict[str, Any]]:
        """A linked child's open holds with queue place, pickup branch and deadline."""
        wait_for(("hold_queue",))
        guardians.check_guardian(ports(), reader_id, child_id)
        with read_model("hold_queue") as conn:
            return [h for h in list_holds(conn, reader_id=child_id)
                    if h["status"] in (HoldStatus.WAITING, HoldStatus.TRAPPED)]


@blp.route("/<reader_id>/children/<child_id>/renewals")
class ChildRenewals(MethodView):
    @blp.arguments(ChildRenewSchema)
    @blp.response(200, RenewResultSchema)
    @require("desk", **SELF)
    def post(self, data: dict[str, Any], reader_id: str, child_id: str) -> dict[str, Any]:
        """Renew one of a linked child's loans under the child's rules; the guardian is the
        actor recorded (meta ``on_behalf_of`` names the child)."""
        return answer(guardians.renew_for_child(ports(), current_actor(), reader_id, child_id,
                                                data["barcode"], idempotency_key()))


@blp.route("/<reader_id>/classes")
class PupilClasses(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, PupilListSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """The reading lists of the classes this reader is a pupil of, with availability."""
        with read_model("families", "catalogue") as conn:
            out = []
            for row in list_classes(conn, pupil=reader_id):
                detail = get_class(conn, row["class_id"]) or {"title_ids": []}
                out.append({"class_id": row["class_id"], "name": row["name"],
                            "school": row["school"], "list_name": row["list_name"],
                            "titles": titles_with_availability(conn, detail["title_ids"])})
        return out
