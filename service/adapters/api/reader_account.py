"""A reader's account: loans, holds, fines, history, feedback, summary and timeline."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from projections.feedback_inbox import list_feedback, list_suggestions
from projections.fines import balance, list_fines
from projections.hold_queue import list_holds
from projections.reading_history import keeps_history, list_history
from service.adapters.api.auth import require
from service.adapters.api.circulation import loans_query
from service.adapters.api.common import lector, offset, perform, perform_answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import (
    CommandResultSchema,
    FeedbackSchema,
    FinesSchema,
    HoldSchema,
    LoanSchema,
    PaymentSchema,
    RenewAllResultSchema,
    SuggestionSchema,
    TimelineSchema,
    WaiveSchema,
)
from service.adapters.api.schemas.common import MinPositionArgsSchema, PageArgsSchema
from service.application import circulation
from service.application.commands import PayFines, RenewAll, WaiveFine
from service.application.history import reader_timeline
from service.application.settings import current_rules
from service.domain.library.rules import current_blocks

blp = Blueprint("reader_account", __name__, url_prefix="/api/v1/readers",
                description="What a reader (or staff for them) sees of their account.")

SELF = {"reader_self": "reader_id"}


@blp.route("/<reader_id>/loans")
class ReaderLoans(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, LoanSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """Open loans, soonest due first."""
        return loans_query(reader=reader_id)


@blp.route("/<reader_id>/renewals")
class ReaderRenewAll(MethodView):
    @blp.response(200, RenewAllResultSchema)
    @require("desk", **SELF)
    def post(self, reader_id: str) -> dict[str, Any]:
        """Renew all of a reader's loans; each succeeds or is refused on its own."""
        return dict(perform(RenewAll(reader_id)).result)


@blp.route("/<reader_id>/holds")
class ReaderHolds(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, HoldSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """Holds with their place in each queue."""
        with read_model("hold_queue") as conn:
            return list_holds(conn, reader_id=reader_id)


@blp.route("/<reader_id>/fines")
class ReaderFines(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, FinesSchema)
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Fines and the balance owed (fen)."""
        with read_model("fines") as conn:
            return {"balance_fen": balance(conn, reader_id), "currency": lector().config.currency,
                    "fines": list_fines(conn, reader_id)}


@blp.route("/<reader_id>/payments")
class ReaderPayments(MethodView):
    @blp.arguments(PaymentSchema)
    @blp.response(201, CommandResultSchema)
    @require("desk")
    def post(self, data: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Take a payment (partial allowed), applied to the oldest fines first."""
        return perform_answer(PayFines(reader_id, data["amount_fen"], data["method"]))


@blp.route("/<reader_id>/fines/<fine_id>/waive")
class ReaderFineWaive(MethodView):
    @blp.arguments(WaiveSchema)
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], reader_id: str, fine_id: str) -> dict[str, Any]:
        """Waive all or part of a fine, with a reason."""
        return perform_answer(WaiveFine(reader_id, fine_id, data["amount_fen"], data["reason"]))


class HistoryArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "Keep titles containing this text."})


@blp.route("/<reader_id>/history")
class ReaderHistory(MethodView):
    @blp.arguments(HistoryArgsSchema, location="query")
    @blp.response(200)
    @require("desk", **SELF)
    def get(self, args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Reading history (empty, with keeps_history false, for readers who opted out)."""
        with read_model("reading_history") as conn:
            items, total = list_history(conn, reader_id, offset(args),
                                        args["page_size"], q=args["q"])
            keeps = keeps_history(conn, reader_id)
        return {"keeps_history": keeps, "total": total, "items": [
            {**i, "borrowed_at": i["borrowed_at"].isoformat(),
             "returned_at": i["returned_at"].isoformat() if i["returned_at"] else None}
            for i in items]}


@blp.route("/<reader_id>/feedback")
class ReaderFeedback(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, FeedbackSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """The reader's feedback with the library's answers."""
        with read_model("feedback_inbox") as conn:
            return list_feedback(conn, reader_id=reader_id)


@blp.route("/<reader_id>/suggestions")
class ReaderSuggestions(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @require("desk", **SELF)
    def get(self, _args: dict[str, Any], reader_id: str) -> list[dict[str, Any]]:
        """The reader's purchase suggestions and the library's decisions."""
        with read_model("feedback_inbox") as conn:
            return list_suggestions(conn, reader_id=reader_id)


@blp.route("/<reader_id>/summary")
class ReaderSummary(MethodView):
    # Folded from the reader's stream in the log, so always current: no min_position to wait for.
    @blp.response(200)
    @require("desk", **SELF)
    def get(self, reader_id: str) -> dict[str, Any]:
        """Loans, overdue, holds, fines balance and block reasons, in one answer."""
        state = circulation.reader_state(ports(), reader_id)
        rules = current_rules(ports())
        blocks = current_blocks(rules, state)
        return {
            "reader_id": reader_id, "category": state.category,
            "loans": len(state.loans),
            "overdue": sum(1 for ln in state.loans.values() if ln.due_on < rules.today),
            "holds": len(state.holds), "fines_owed_fen": state.fines_owed_fen,
            "blocked": bool(blocks), "block_reasons": [b.value for b in blocks],
        }


@blp.route("/<reader_id>/timeline")
class ReaderTimeline(MethodView):
    @blp.response(200, TimelineSchema)
    @require("librarian")
    def get(self, reader_id: str) -> dict[str, Any]:
        """Every event of the reader's stream with time, actor and channel."""
        return {"items": reader_timeline(ports(), reader_id)}
