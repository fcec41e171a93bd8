"""Library activities (读者活动): staff publish and take attendance, readers sign up."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from projections.activities import (
    activity_report,
    get_activity,
    list_activities,
    list_sign_ups,
    reader_activities,
    reader_status,
    waiting_place,
)
from service.adapters.api.auth import current_principal, require
from service.adapters.api.common import lector, offset, perform_answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.engagement import (
    ActivityArgsSchema,
    ActivityPublishSchema,
    ActivityReportSchema,
    AttendanceSchema,
    LibraryActivitySchema,
    MyActivitySchema,
    ReportArgsSchema,
    SignUpRowSchema,
    SignUpSchema,
)
from service.application.circulation import reader_for_card
from service.application.commands import (
    CancelActivitySignUp,
    MarkActivityAttendance,
    PublishActivity,
    SignUpForActivity,
)
from service.application.ecard import resolve_card
from service.domain.engagement import refusals
from service.domain.errors import Invalid, NotFound

blp = Blueprint("activities", __name__, url_prefix="/api/v1/activities",
                description="Library activities: reading clubs, lectures, storytimes and "
                            "exhibitions; sign-ups with a waiting list, attendance, a report.")


def _reader_or_card(card_number: str | None) -> str:
    """The reader acting for themselves, or the reader staff name by card."""
    principal = current_principal()
    if principal.kind == "reader":
        return principal.reader_id or ""
    if not card_number:
        raise Invalid("invalid_request", "card_number is required for staff.",
                      "工作人员须提供读者证号。", fields={"card_number": ["Required."]})
    return reader_for_card(ports(), card_number)


def _mine() -> str:
    principal = current_principal()
    if principal.kind != "reader" or principal.reader_id is None:
        raise NotFound("not_a_reader", "Only a reader has activities of their own.",
                       "只有读者本人才有自己的活动。")
    return principal.reader_id


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ActivityArgsSchema, location="query")
    @blp.response(200, LibraryActivitySchema(many=True))
    @require("reader")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Activities, soonest first: current and coming ones unless include_past."""
        after = None if args["include_past"] else ports().clock()
        with read_model("activities") as conn:
            return list_activities(conn, after=after, offset=offset(args),
                                   limit=args["page_size"])

    @blp.arguments(ActivityPublishSchema)
    @blp.response(201, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Publish an activity (branch and audience category checked against the managed
        lists: unknown_branch, unknown_reader_category). Readers can sign up at once."""
        return perform_answer(PublishActivity(**data))


@blp.route("/mine")
class MyActivities(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, MyActivitySchema(many=True))
    @require("reader")
    def get(self, _args: dict[str, Any]) -> list[dict[str, Any]]:
        """The calling reader's sign-ups (seated, waiting, attended, cancelled)."""
        with read_model("activities") as conn:
            return reader_activities(conn, _mine())


@blp.route("/report")
class Report(MethodView):
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, ActivityReportSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Per activity: sign-ups, seats taken, attendance and its rate, and new readers
        gained. A new reader gained is an attendee who registered within the 30 days before
        the activity started, or whose first loan ever came after it started and within 30
        days after it ended."""
        with read_model("activities") as conn:
            return {"items": activity_report(conn, **_window(args))}


def _window(args: dict[str, Any]) -> dict[str, datetime | None]:
    return {k: None if args[k] is None else args[k].astimezone(UTC) for k in ("since", "until")}


REPORT_COLUMNS = ("activity_id", "kind", "title_zh", "title_en", "branch", "starts_at",
                  "ends_at", "capacity", "sign_ups", "seats_taken", "waiting", "attended",
                  "attendance_rate", "new_readers")


@blp.route("/report.csv")
class ReportCsv(MethodView):
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, description="The activity report as CSV (UTF-8 with BOM, for Excel).",
                  content_type="text/csv")
    @require("librarian")
    def get(self, args: dict[str, Any]) -> Response:
        """The activity report as a CSV file (same rows and definitions as /report)."""
        with read_model("activities") as conn:
            rows = activity_report(conn, **_window(args))
        return csv_response("activities-report.csv", REPORT_COLUMNS, rows)


def csv_response(filename: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
                 ) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run a reader's text as a formula
    return "" if value is None else value


@blp.route("/<activity_id>")
class Activity(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, LibraryActivitySchema)
    @require("reader")
    def get(self, _args: dict[str, Any], activity_id: str) -> dict[str, Any]:
        """One activity; for a reader, their own status and place on the waiting list."""
        principal = current_principal()
        with read_model("activities") as conn:
            found = get_activity(conn, activity_id)
            if found is None:
                raise refusals.activity_not_found()
            if principal.kind == "reader" and principal.reader_id:
                found["my_status"] = reader_status(conn, activity_id, principal.reader_id)
                found["my_waiting_place"] = waiting_place(conn, activity_id,
                                                          principal.reader_id)
            return found


@blp.route("/<activity_id>/sign-ups")
class SignUps(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, SignUpRowSchema(many=True))
    @require("desk")
    def get(self, _args: dict[str, Any], activity_id: str) -> list[dict[str, Any]]:
        """Sign-ups in the order they came (seated, waiting, attended, cancelled)."""
        with read_model("activities", "reader_profiles") as conn:
            if get_activity(conn, activity_id) is None:
                raise refusals.activity_not_found()
            return list_sign_ups(conn, activity_id)

    @blp.arguments(SignUpSchema)
    @blp.response(201, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any], activity_id: str) -> dict[str, Any]:
        """Sign up (a reader for themselves, staff by card): `status` seated or waiting.
        Refusals: activity_already_signed_up, activity_sign_up_closed,
        activity_not_for_category."""
        return perform_answer(SignUpForActivity(activity_id,
                                                _reader_or_card(data["card_number"])))


@blp.route("/<activity_id>/cancellation")
class Cancellation(MethodView):
    @blp.arguments(SignUpSchema)
    @blp.response(200, CommandResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any], activity_id: str) -> dict[str, Any]:
        """Cancel a sign-up; a freed seat goes at once to the first reader waiting
        (`promoted_reader_id`)."""
        return perform_answer(CancelActivitySignUp(activity_id,
                                                   _reader_or_card(data["card_number"])))


@blp.route("/<activity_id>/attendance")
class Attendance(MethodView):
    @blp.arguments(AttendanceSchema)
    @blp.response(200, CommandResultSchema)
    @require("desk")
    def post(self, data: dict[str, Any], activity_id: str) -> dict[str, Any]:
        """Mark a seated reader present: scan their card or e-card at the door (`already`
        true when they were recorded before). Refusals: activity_not_signed_up,
        activity_not_seated (waiting list), ecard_expired, ecard_invalid, reader_not_found."""
        card = resolve_card(lector().config.secret_key, data["code"], ports().clock())
        return perform_answer(MarkActivityAttendance(activity_id, card))
