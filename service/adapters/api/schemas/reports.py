"""Request and response schemas of the Readers, Top and Service reports."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.adapters.api.schemas.collection import AS_OF_RANGE
from service.adapters.api.schemas.common import (
    DefinitionSchema,
    MinPositionArgsSchema,
    PageArgsSchema,
    PageSchema,
)

NAME = validate.Length(min=1, max=64)


def _filters() -> dict[str, fields.Field]:
    return {
        "from_": fields.Date(load_default=None, data_key="from", validate=AS_OF_RANGE,
                             metadata={"description": "First local day (default: 29 days before 'to')."}),
        "to": fields.Date(load_default=None, validate=AS_OF_RANGE,
                          metadata={"description": "Last local day (default today)."}),
        "branch": fields.String(load_default=None, validate=NAME),
        "category": fields.String(load_default=None, validate=NAME,
                                  metadata={"description": "Reader category."}),
    }


def _ordered(data: dict[str, Any]) -> None:
    if data["from_"] and data["to"]:
        if data["from_"] > data["to"]:
            raise ValidationError("'from' must not be after 'to'.", "from")
        if (data["to"] - data["from_"]).days > 3 * 366:
            raise ValidationError("At most three years at a time.", "to")


class ReadersArgsSchema(MinPositionArgsSchema.from_dict(_filters())):  # type: ignore[misc]
    group_by = fields.String(load_default=None, validate=validate.OneOf(["branch", "category"]))

    @validates_schema
    def ordered_range(self, data: dict[str, Any], **kwargs: object) -> None:
        _ordered(data)


class TopArgsSchema(PageArgsSchema.from_dict(_filters())):  # type: ignore[misc]
    by = fields.String(load_default="title", validate=validate.OneOf(["title", "author", "class"]))
    clc = fields.String(load_default=None, validate=validate.Length(min=1, max=8),
                        metadata={"description": "Top-level CLC class (e.g. I, T, ?)."})

    @validates_schema
    def ordered_range(self, data: dict[str, Any], **kwargs: object) -> None:
        _ordered(data)


class ServiceArgsSchema(MinPositionArgsSchema.from_dict(_filters())):  # type: ignore[misc]
    as_of = fields.Date(load_default=None, validate=AS_OF_RANGE, metadata={
        "description": "Day of the overdue aging (default: 'to'); business time."})
    channel = fields.String(load_default="desk", validate=validate.OneOf(
        ["desk", "sip2", "portal", "api", "worker"]),
        metadata={"description": "Channel of the heatmap."})

    @validates_schema
    def ordered_range(self, data: dict[str, Any], **kwargs: object) -> None:
        _ordered(data)


class ReportMetaSchema(Schema):
    position = fields.Integer(required=True, metadata={
        "description": "The log position the answer reflects (every event up to it)."})
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    definitions = fields.List(fields.Nested(DefinitionSchema), required=True)


class ReadersRowSchema(Schema):
    group = fields.String(required=True, metadata={"description": "Branch, category or 'all'."})
    active = fields.Integer(required=True)
    new = fields.Integer(required=True)
    returning = fields.Integer(required=True)
    lapsed = fields.Integer(required=True)
    loans = fields.Integer(required=True)
    renewals = fields.Integer(required=True)
    loans_per_active = fields.Float(required=True)


class ReadersReportSchema(ReportMetaSchema):
    group_by = fields.String(allow_none=True)
    previous_from = fields.Date(required=True)
    previous_to = fields.Date(required=True)
    rows = fields.List(fields.Nested(ReadersRowSchema), required=True)


class TopRowSchema(Schema):
    rank = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"description": "Title id, author or class."})
    title = fields.String(metadata={"description": "Titles only."})
    authors = fields.List(fields.String(), metadata={"description": "Titles only."})
    loans = fields.Integer(required=True)
    renewals = fields.Integer(required=True)
    titles = fields.Integer(required=True, metadata={"description": "Distinct titles borrowed."})


class TopPageSchema(PageSchema, ReportMetaSchema):
    by = fields.String(required=True)
    items = fields.List(fields.Nested(TopRowSchema), required=True)


class HoursSchema(Schema):
    count = fields.Integer(required=True)
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class ServiceHoldsSchema(Schema):
    placed = fields.Integer(required=True)
    trapped = fields.Integer(required=True)
    fill = fields.Nested(HoursSchema, required=True)
    pickup = fields.Nested(HoursSchema, required=True)


class ActionCountsSchema(Schema):
    checkout = fields.Integer(required=True)
    renewal = fields.Integer(required=True)
    hold = fields.Integer(required=True)
    return_ = fields.Integer(required=True, data_key="return", attribute="return")


class ChannelSchema(ActionCountsSchema):
    channel = fields.String(required=True)
    total = fields.Integer(required=True)


class BranchSchema(ActionCountsSchema):
    branch = fields.String(required=True)
    active_readers = fields.Integer(required=True)


class ServiceReportSchema(ReportMetaSchema):
    as_of = fields.Date(required=True)
    channel = fields.String(required=True)
    overdue_aging = fields.List(fields.Nested(Schema.from_dict(
        {"bucket": fields.String(), "loans": fields.Integer()}, name="AgingBucketSchema")))
    holds = fields.Nested(ServiceHoldsSchema, required=True)
    heatmap = fields.List(fields.Nested(Schema.from_dict(
        {"weekday": fields.Integer(), "hour": fields.Integer(), "actions": fields.Integer()},
        name="HeatCellSchema")), metadata={"description": "7 x 24 cells, weekday 0 = Monday."})
    channels = fields.List(fields.Nested(ChannelSchema))
    messages = fields.List(fields.Nested(Schema.from_dict(
        {"kind": fields.String(), "submitted": fields.Integer(), "answered": fields.Integer(),
         "median_hours": fields.Float(allow_none=True), "p90_hours": fields.Float(allow_none=True)},
        name="MessageStatsSchema")))
    branches = fields.List(fields.Nested(BranchSchema))
