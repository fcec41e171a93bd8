"""Library configuration: the circulation policy matrix and branch calendars (admin)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from service.adapters.api.auth import current_actor, idempotency_key, require
from service.adapters.api.common import answer, ports
from service.adapters.api.schemas.catalogue import BRANCH
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.application import settings
from service.domain.errors import Invalid

blp = Blueprint("settings", __name__, url_prefix="/api/v1",
                description="Circulation policy and opening calendars, kept as events.")


class PolicyBodySchema(Schema):
    class Meta:
        unknown = "include"  # the matrix validates its own shape with per-field messages

    rules = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=500))
    block_fine_threshold_fen = fields.Integer(required=True)
    block_overdue_days = fields.Integer(required=True)
    renew_overdue = fields.Boolean(metadata={
        "description": "Whether overdue loans may be renewed (default false); the fine run "
                       "up so far is then charged at once."})


class PolicySchema(Schema):
    version = fields.Integer()
    matrix = fields.Dict()


class CalendarBodySchema(Schema):
    # Both required: a PUT replaces the whole calendar, so an empty or truncated body must not
    # silently reopen a branch on every day (send [] to say "no closures").
    closed_weekdays = fields.List(fields.Integer(validate=validate.Range(0, 6)), required=True,
                                  validate=validate.Length(max=7))
    closed_dates = fields.List(fields.Date(), required=True, validate=validate.Length(max=2000))


class CalendarSchema(Schema):
    branch = fields.String()
    closed_weekdays = fields.List(fields.Integer())
    closed_dates = fields.List(fields.String())


@blp.route("/policy")
class Policy(MethodView):
    @blp.response(200, PolicySchema)
    @require("desk")
    def get(self) -> dict[str, Any]:
        """The policy matrix in force and its version (0 = the built-in default)."""
        history = settings.policy_history(ports())
        return {"version": len(history), "matrix": settings.current_rules(ports()).matrix.to_dict()}

    @blp.arguments(PolicyBodySchema)
    @blp.response(200, CommandResultSchema)
    @require("admin")
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Replace the matrix (validated; earlier versions stay in the log)."""
        return answer(settings.change_policy(ports(), current_actor(), data, idempotency_key()))


@blp.route("/calendars/<branch>")
class Calendar(MethodView):
    @blp.response(200, CalendarSchema)
    @require("desk")
    def get(self, branch: str) -> dict[str, Any]:
        """A branch's closed weekdays (0 = Monday) and closed dates."""
        calendar = settings.current_rules(ports()).calendar(branch)
        return {"branch": branch, **calendar.to_dict()}

    @blp.arguments(CalendarBodySchema)
    @blp.response(200, CommandResultSchema)
    @require("admin")
    def put(self, data: dict[str, Any], branch: str) -> dict[str, Any]:
        """Set a branch's calendar; due dates and pickup deadlines skip closed days."""
        try:
            BRANCH(branch)
        except ValidationError as exc:
            raise Invalid("invalid_branch", "Not a valid branch code.", "分馆代码无效。",
                          fields={"branch": [str(m) for m in exc.messages]}) from None
        body = {"closed_weekdays": data["closed_weekdays"],
                "closed_dates": [d.isoformat() for d in data["closed_dates"]]}
        return answer(settings.change_calendar(ports(), current_actor(), branch, body,
                                               idempotency_key()))
