"""Reader surveys (读者调查): staff build, publish, close and read results; readers answer once."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from events.streams import survey_answer_stream
from projections.reader_profiles import reader_profiles as rp
from projections.surveys import (
    answered_streams,
    get_survey,
    list_surveys,
    survey_answers,
    survey_results,
)
from service.adapters.api.activities import csv_response
from service.adapters.api.auth import current_principal, require
from service.adapters.api.common import offset, perform_answer
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.engagement import (
    AnswerSheetSchema,
    SurveyArgsSchema,
    SurveyCreateSchema,
    SurveyResultsSchema,
    SurveySchema,
)
from service.application.commands import AnswerSurvey, CloseSurvey, CreateSurvey, PublishSurvey
from service.application.engagement import respondent
from service.domain.engagement import refusals
from service.domain.errors import NotFound

blp = Blueprint("surveys", __name__, url_prefix="/api/v1/surveys",
                description="Reader surveys: choice, rating, net-promoter and free-text "
                            "questions; one answer per reader; results and CSV.")


def _with_answered(conn: Any, reader_id: str, rows: list[dict[str, Any]]) -> None:
    streams = {r["survey_id"]: survey_answer_stream(
        r["survey_id"], respondent(r["survey_id"], reader_id, r["anonymous"])) for r in rows}
    done = answered_streams(conn, list(streams.values()))
    for row in rows:
        row["answered"] = streams[row["survey_id"]] in done


@blp.route("")
class Surveys(MethodView):
    @blp.arguments(SurveyArgsSchema, location="query")
    @blp.response(200, SurveySchema(many=True))
    @require("reader")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Staff: every survey (status=draft|open|closed). A reader: the open surveys meant
        for them, each with `answered`."""
        principal = current_principal()
        with read_model("surveys", "reader_profiles") as conn:
            if principal.kind != "reader":
                return list_surveys(conn, status=args["status"], offset=offset(args),
                                    limit=args["page_size"])
            category = conn.execute(select(rp.c.category).where(
                rp.c.reader_id == principal.reader_id)).scalar()
            rows = [r for r in list_surveys(conn, status="open", offset=offset(args),
                                            limit=args["page_size"])
                    if r["audience_category"] in (None, category)]
            _with_answered(conn, principal.reader_id or "", rows)
            return rows

    @blp.arguments(SurveyCreateSchema)
    @blp.response(201, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a draft survey (publish it to send it to readers)."""
        return perform_answer(CreateSurvey(
            data["title_zh"], data["title_en"], tuple(data["questions"]), data["anonymous"],
            data["audience_category"]))


@blp.route("/<survey_id>")
class Survey(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, SurveySchema)
    @require("reader")
    def get(self, _args: dict[str, Any], survey_id: str) -> dict[str, Any]:
        """One survey and its questions (a reader sees open ones only, with `answered`)."""
        principal = current_principal()
        with read_model("surveys") as conn:
            found = get_survey(conn, survey_id)
            if found is None or (principal.kind == "reader" and found["status"] != "open"):
                raise refusals.survey_not_found()
            if principal.kind == "reader":
                _with_answered(conn, principal.reader_id or "", [found])
            return found


@blp.route("/<survey_id>/publish")
class Publish(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, survey_id: str) -> dict[str, Any]:
        """Open a draft survey for answers (survey_not_draft once closed)."""
        return perform_answer(PublishSurvey(survey_id))


@blp.route("/<survey_id>/close")
class Close(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, survey_id: str) -> dict[str, Any]:
        """Close a survey: no more answers."""
        return perform_answer(CloseSurvey(survey_id))


@blp.route("/<survey_id>/answers")
class Answers(MethodView):
    @blp.arguments(AnswerSheetSchema)
    @blp.response(201, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any], survey_id: str) -> dict[str, Any]:
        """Answer (a reader, once): a second answer is 409 survey_already_answered, also
        when two arrive at once. Other refusals: survey_not_open, survey_not_for_category,
        survey_answer_invalid (per-question messages)."""
        principal = current_principal()
        if principal.kind != "reader" or principal.reader_id is None:
            raise NotFound("not_a_reader", "Only a reader answers surveys.",
                           "只有读者本人可以回答调查。")
        return perform_answer(AnswerSurvey(survey_id, principal.reader_id, data["answers"]))


@blp.route("/<survey_id>/results")
class Results(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, SurveyResultsSchema)
    @require("librarian")
    def get(self, _args: dict[str, Any], survey_id: str) -> dict[str, Any]:
        """Responses and response rate (answers / readers it was sent to: its audience
        category, or every reader not erased), per-question distributions, means, the NPS
        (% 9-10 minus % 0-6) and free texts, named only when the survey is named."""
        with read_model("surveys", "reader_profiles") as conn:
            found = survey_results(conn, survey_id)
        if found is None:
            raise refusals.survey_not_found()
        return found


@blp.route("/<survey_id>/results.csv")
class ResultsCsv(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, description="One row per answer, one column per question (CSV, UTF-8 "
                  "with BOM); reader_id only for a named survey.", content_type="text/csv")
    @require("librarian")
    def get(self, _args: dict[str, Any], survey_id: str) -> Response:
        """Every answer as CSV: answered_at, reader_id (named surveys), then each question
        (option numbers from 0, lists joined by '|')."""
        with read_model("surveys") as conn:
            found = get_survey(conn, survey_id)
            if found is None:
                raise refusals.survey_not_found()
            rows = survey_answers(conn, survey_id)
        ids = tuple(q["id"] for q in found["questions"])
        columns = ("answered_at", *(() if found["anonymous"] else ("reader_id",)), *ids)
        flat = []
        for row in rows:
            values = {**(row["choices"] or {}), **(row["texts"] or {})}
            flat.append({"answered_at": row["answered_at"], "reader_id": row["reader_id"],
                         **{q: "|".join(map(str, v)) if isinstance(v, list) else v
                            for q, v in values.items()}})
        return csv_response(f"results-{survey_id}.csv", columns, flat)
