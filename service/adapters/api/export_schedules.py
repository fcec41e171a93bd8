"""Scheduled exports (librarian): a kind, a format, a weekly or monthly day, a delivery."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from projections.export_schedules import get_schedule, list_deliveries, list_schedules
from service.adapters.api.auth import current_actor, idempotency_key, require
from service.adapters.api.common import answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.data.exporting import KINDS
from service.data.exporting.scheduling import change_schedule, create_schedule, remove_schedule
from service.domain.errors import NotFound
from service.domain.locale import EN, ZH, negotiate_lang

blp = Blueprint("export_schedules", __name__, url_prefix="/api/v1/exports/schedules",
                description="Scheduled exports: delivered once per week or month to a folder "
                            "on the server or by e-mail to staff. Every change is an event.")


def _raw(description: str, type_: str, **extra: Any) -> Any:
    # Every field is checked by the core rules, so each message comes in zh-CN and en.
    return fields.Raw(allow_none=True,
                      metadata={"description": description, "type": type_, **extra})


class ScheduleBodySchema(Schema):
    class Meta:
        unknown = "include"  # unknown fields are reported per field by the core rules

    name = _raw("What staff call it (1-200 characters).", "string")
    kind = _raw("An export kind: GET /api/v1/exports/schedules/kinds lists them.", "string")
    format = _raw("csv (default) or xlsx.", "string")
    lang = _raw("Column names and e-mail text: zh-CN (default) or en.", "string")
    cadence = _raw("weekly or monthly.", "string")
    weekday = _raw("Weekly: 1 (Monday) to 7 (Sunday).", "integer")
    monthday = _raw("Monthly: 1 to 31; a shorter month delivers on its last day.", "integer")
    at = _raw("Time of day, HH:MM, library time zone (default 06:00).", "string")
    delivery = _raw("folder (under LECTOR_EXPORT_DIR) or email.", "string")
    folder = _raw("Folder: a relative path under the base directory ('' = the base).",
                  "string")
    recipients = _raw("E-mail: 1-20 staff addresses.", "array", items={"type": "string"})


class DeliverySchema(Schema):
    period_key = fields.String()
    delivered_at = fields.DateTime()
    position = fields.Integer()
    file_name = fields.String()
    target = fields.String()
    size_bytes = fields.Integer()


class ScheduleSchema(Schema):
    schedule_id = fields.String()
    name = fields.String()
    kind = fields.String()
    format = fields.String()
    lang = fields.String()
    cadence = fields.String()
    weekday = fields.Integer(allow_none=True)
    monthday = fields.Integer(allow_none=True)
    at = fields.String()
    delivery = fields.String()
    folder = fields.String(allow_none=True)
    recipients = fields.List(fields.String())
    created_at = fields.DateTime()
    changed_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    last_period = fields.String(allow_none=True)
    last_delivered_at = fields.DateTime(allow_none=True)
    deliveries = fields.Integer()
    recent_deliveries = fields.List(fields.Nested(DeliverySchema))


class ScheduleListSchema(Schema):
    items = fields.List(fields.Nested(ScheduleSchema))


class KindSchema(Schema):
    kind = fields.String()
    title_en = fields.String()
    title_zh = fields.String()


class KindListSchema(Schema):
    items = fields.List(fields.Nested(KindSchema))


def _lang() -> str:
    return ZH if negotiate_lang(request.headers.get("Accept-Language"), EN) == ZH else EN


def _kinds() -> list[str]:
    return list(KINDS)  # read at request time: kinds registered later are offered too


@blp.route("")
class Schedules(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ScheduleListSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every schedule with its last delivered period."""
        with read_model("export_schedules") as conn:
            return {"items": list_schedules(conn)}

    @blp.arguments(ScheduleBodySchema)
    @blp.response(201, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a schedule; every field is checked, with messages in zh-CN and en."""
        return answer(create_schedule(ports(), current_actor(), data, _kinds(), _lang(),
                                      idempotency_key()))


@blp.route("/kinds")
class ScheduleKinds(MethodView):
    @blp.response(200, KindListSchema)
    @require("librarian")
    def get(self) -> dict[str, Any]:
        """The export kinds a schedule may deliver (every registered kind)."""
        return {"items": [{"kind": k.name, "title_en": k.title_en, "title_zh": k.title_zh}
                          for k in KINDS.values()]}


@blp.route("/<schedule_id>")
class Schedule(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ScheduleSchema)
    @require("librarian")
    def get(self, args: dict[str, Any], schedule_id: str) -> dict[str, Any]:
        """One schedule with its recent deliveries (newest first)."""
        with read_model("export_schedules") as conn:
            found = get_schedule(conn, schedule_id)
            if found is None or found["removed"]:
                raise NotFound("export_schedule_not_found",
                               f"No export schedule '{schedule_id}'.",
                               f"没有导出计划“{schedule_id}”。")
            return {**found, "recent_deliveries": list_deliveries(conn, schedule_id)}

    @blp.arguments(ScheduleBodySchema)
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def put(self, data: dict[str, Any], schedule_id: str) -> dict[str, Any]:
        """Replace a schedule's settings (the whole body, checked as at creation)."""
        return answer(change_schedule(ports(), current_actor(), schedule_id, data, _kinds(),
                                      _lang(), idempotency_key()))

    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def delete(self, schedule_id: str) -> dict[str, Any]:
        """Stop a schedule; its deliveries stay listed in the log."""
        return answer(remove_schedule(ports(), current_actor(), schedule_id, idempotency_key()))
