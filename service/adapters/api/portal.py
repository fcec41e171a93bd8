"""The reader portal's own routes: e-card, scan to borrow, holds with waits, availability per
branch, and the per-branch self-service setting (notices: portal_notices.py)."""

from __future__ import annotations

import re
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from events.vocabulary import CopyStatus, HoldStatus
from projections.catalogue import availability_counts, list_copies
from projections.hold_queue import list_holds
from service.adapters.api.auth import require
from service.adapters.api.common import lector, perform, perform_answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.ecard_images import code128_svg, qr_svg
from service.adapters.api.schemas.circulation import (
    BARCODE,
    CARD_OR_ECARD,
    CheckOutResultSchema,
    HoldSchema,
)
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.application import circulation, self_service
from service.application import commands as c
from service.application.ecard import issue_ecard, resolve_card
from service.application.settings import current_rules
from service.domain.circulation import refusals
from service.domain.circulation.hold_wait import estimated_wait_days
from service.domain.errors import Invalid

blp = Blueprint("portal", __name__, url_prefix="/api/v1",
                description="The reader portal: e-card, scan to borrow, holds, branches.")

SELF = {"reader_self": "reader_id"}
BRANCH_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
CIRCULATING = (CopyStatus.AVAILABLE, CopyStatus.ON_LOAN, CopyStatus.TRAPPED)


class ECardSchema(Schema):
    code = fields.String(required=True, metadata={"description": "What the scanners read."})
    card_number = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    qr_svg = fields.String(required=True)
    barcode_svg = fields.String(required=True)


class PortalCheckOutSchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)


class SelfServiceSchema(Schema):
    branches = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True,
                           metadata={"description": "Branch -> readers may borrow by phone "
                                                    "(a branch not listed: no)."})
    position = fields.Integer(metadata={"description": "After a change: its log position."})


class SelfServiceChangeSchema(Schema):
    portal_checkout = fields.Boolean(required=True)


class PortalHoldSchema(HoldSchema):
    estimated_wait_days = fields.Integer(allow_none=True, metadata={
        "description": "Waiting holds: ceil(queue place / circulating copies) x the loan period; "
                       "null when no copy circulates."})


@blp.route("/readers/<reader_id>/ecard")
class ReaderECard(MethodView):
    @blp.response(200, ECardSchema)
    @require("desk", **SELF)
    def get(self, reader_id: str) -> dict[str, Any]:
        """A fresh e-card code (valid 24 h) as text, QR code and Code 128 barcode (SVG)."""
        card_number = circulation.reader_state(ports(), reader_id).card_number
        if card_number is None:
            raise refusals.reader_not_found()
        card = issue_ecard(lector().config.secret_key, card_number, ports().clock())
        return {"code": card.code, "card_number": card.card_number, "issued_at": card.issued_at,
                "expires_at": card.expires_at, "qr_svg": qr_svg(card.code),
                "barcode_svg": code128_svg(card.code)}


class ECardResolveSchema(Schema):
    code = fields.String(required=True, validate=CARD_OR_ECARD)


class ResolvedCardSchema(Schema):
    card_number = fields.String(required=True)
    reader_id = fields.String(required=True)


@blp.route("/ecards/resolve")
class ECardResolve(MethodView):
    @blp.arguments(ECardResolveSchema)
    @blp.response(200, ResolvedCardSchema)
    @require("desk")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """The card (and reader) a scanned value stands for: for staff pages that look the
        reader up before lending (ecard_expired, ecard_invalid, reader_not_found)."""
        card = resolve_card(lector().config.secret_key, data["code"], ports().clock())
        return {"card_number": card, "reader_id": circulation.reader_for_card(ports(), card)}


@blp.route("/readers/<reader_id>/checkouts")
class ReaderCheckOuts(MethodView):
    @blp.arguments(PortalCheckOutSchema)
    @blp.response(201, CheckOutResultSchema)
    @require("desk", **SELF)
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Scan to borrow: lend a copy to this reader at its branch, if the branch allows it
        (self_service_not_allowed), under the same rules as the desk."""
        return perform_answer(c.PortalCheckOut(reader_id, data["barcode"]))


@blp.route("/readers/<reader_id>/hold-waits")
class ReaderHoldWaits(MethodView):
    @blp.response(200, PortalHoldSchema(many=True))
    @require("desk", **SELF)
    def get(self, reader_id: str) -> list[dict[str, Any]]:
        """Open holds with queue place, pickup branch and deadline, and an estimated wait."""
        state = circulation.reader_state(ports(), reader_id)
        matrix = current_rules(ports()).matrix
        with read_model("hold_queue", "catalogue") as conn:
            holds = [h for h in list_holds(conn, reader_id=reader_id)
                     if h["status"] in (HoldStatus.WAITING, HoldStatus.TRAPPED)]
            counts = availability_counts(conn, sorted({h["title_id"] for h in holds}))
        for h in holds:
            copies = sum(counts.get(h["title_id"], {}).get(s, 0) for s in CIRCULATING)
            days = matrix.resolve(state.category, "book", h["pickup_branch"]).loan_days
            h["estimated_wait_days"] = (estimated_wait_days(h["queue_position"], copies, days)
                                        if h["status"] == HoldStatus.WAITING else 0)
        return holds


@blp.route("/self-service")
class SelfService(MethodView):
    @blp.response(200, SelfServiceSchema)
    @require("reader")
    def get(self) -> dict[str, Any]:
        """Which branches let readers borrow by scanning with their phone."""
        return {"branches": self_service.self_service_settings(ports())}


@blp.route("/self-service/<branch>")
class SelfServiceBranch(MethodView):
    @blp.arguments(SelfServiceChangeSchema)
    @blp.response(200, SelfServiceSchema)
    @require("admin")
    def put(self, data: dict[str, Any], branch: str) -> dict[str, Any]:
        """Turn borrowing by phone on or off for one branch (default: off everywhere)."""
        if not BRANCH_NAME.match(branch):
            raise Invalid("invalid_branch", "Branch codes are letters, digits, '_' and '-'.",
                          "分馆代码只能包含字母、数字、“_”和“-”。",
                          fields={"branch": ["Letters, digits, '_' and '-' (max 64)."]})
        outcome = perform(c.ChangeSelfService(branch, data["portal_checkout"]))
        return {"branches": self_service.self_service_settings(ports()),
                "position": outcome.position}


class BranchAvailabilitySchema(Schema):
    branch = fields.String()
    available = fields.Integer()
    total = fields.Integer(metadata={"description": "Copies that circulate (not lost, withdrawn)."})


@blp.route("/titles/<title_id>/branches")
class TitleBranches(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, BranchAvailabilitySchema(many=True))
    @require("reader")
    def get(self, _args: dict[str, Any], title_id: str) -> list[dict[str, Any]]:
        """Live availability of a title at each branch holding a copy."""
        with read_model("catalogue") as conn:
            found = list_copies(conn, title_id)
        by_branch: dict[str, dict[str, Any]] = {}
        for copy in found:
            if copy["status"] not in CIRCULATING:
                continue
            row = by_branch.setdefault(copy["branch"], {"branch": copy["branch"], "available": 0,
                                                        "total": 0})
            row["total"] += 1
            row["available"] += copy["status"] == CopyStatus.AVAILABLE
        return sorted(by_branch.values(), key=lambda r: r["branch"])
