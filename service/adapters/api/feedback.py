"""Feedback and purchase suggestions: readers write, staff answer and decide."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.feedback_inbox import list_feedback, list_suggestions
from service.adapters.api.auth import current_actor, current_principal, idempotency_key, require
from service.adapters.api.common import answer, offset, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import (
    CommandResultSchema,
    FeedbackAnswerSchema,
    FeedbackSchema,
    FeedbackSubmitSchema,
    StatusArgsSchema,
    SuggestionDecisionSchema,
    SuggestionSchema,
    SuggestionSubmitSchema,
)
from service.application import feedback as handlers
from service.application.circulation import reader_for_card
from service.domain.errors import Invalid

blp = Blueprint("feedback", __name__, url_prefix="/api/v1",
                description="What readers tell the library, and its answers.")


def _subject_reader(card_number: str | None) -> str:
    principal = current_principal()
    if principal.kind == "reader":
        return principal.reader_id or ""
    if not card_number:
        raise Invalid("invalid_request", "card_number is required for staff.",
                      "工作人员须提供读者证号。", fields={"card_number": ["Required."]})
    return reader_for_card(ports(), card_number)


@blp.route("/feedback")
class Feedback(MethodView):
    @blp.arguments(FeedbackSubmitSchema)
    @blp.response(201, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Submit feedback (a reader for themselves, or staff on a reader's behalf)."""
        return answer(handlers.submit_feedback(
            ports(), current_actor(), _subject_reader(data["card_number"]), data["category"],
            data["text"], data["rating"], data["title_id"], idempotency_key()))

    @blp.arguments(StatusArgsSchema, location="query")
    @blp.response(200, FeedbackSchema(many=True))
    @require("librarian")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The feedback inbox (status=open|answered|closed)."""
        with read_model("feedback_inbox") as conn:
            return list_feedback(conn, status=args["status"],
                                 offset=offset(args),
                                 limit=args["page_size"])


@blp.route("/feedback/<feedback_id>/answer")
class FeedbackAnswer(MethodView):
    @blp.arguments(FeedbackAnswerSchema)
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], feedback_id: str) -> dict[str, Any]:
        """Answer feedback (and optionally close it); the reader sees it on their account."""
        return answer(handlers.answer_feedback(ports(), current_actor(), feedback_id,
                                               data["answer"], data["close"], idempotency_key()))


@blp.route("/feedback/<feedback_id>/close")
class FeedbackClose(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, feedback_id: str) -> dict[str, Any]:
        """Close feedback."""
        return answer(handlers.close_feedback(ports(), current_actor(), feedback_id,
                                              idempotency_key()))


@blp.route("/suggestions")
class Suggestions(MethodView):
    @blp.arguments(SuggestionSubmitSchema)
    @blp.response(201, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Suggest a purchase."""
        return answer(handlers.suggest_purchase(
            ports(), current_actor(), _subject_reader(data["card_number"]), data["title"],
            data["author"], data["isbn"], data["reason"], idempotency_key()))

    @blp.arguments(StatusArgsSchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @require("librarian")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Purchase suggestions (status=submitted|accepted|ordered|rejected)."""
        with read_model("feedback_inbox") as conn:
            return list_suggestions(conn, status=args["status"],
                                    offset=offset(args),
                                    limit=args["page_size"])


@blp.route("/suggestions/<suggestion_id>/decision")
class SuggestionDecision(MethodView):
    @blp.arguments(SuggestionDecisionSchema)
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], suggestion_id: str) -> dict[str, Any]:
        """Accept, order or reject (with a reason) a suggestion."""
        return answer(handlers.decide_suggestion(ports(), current_actor(), suggestion_id,
                                                 data["decision"], data["reason"],
                                                 idempotency_key()))
