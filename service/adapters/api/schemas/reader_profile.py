"""Schemas of the staff 360 view and the segment reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.circulation import (
    FeedbackSchema,
    FineSchema,
    HoldSchema,
    LoanSchema,
    SuggestionSchema,
)
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.engagement import MyActivitySchema
from service.adapters.api.schemas.notices import NoticeSchema
from service.adapters.api.schemas.readers import ReaderSchema

SEGMENT_NAMES = ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")


class NowSchema(Schema):
    loans = fields.List(fields.Nested(LoanSchema))
    overdue = fields.Integer()
    holds = fields.List(fields.Nested(HoldSchema))
    fines_owed_fen = fields.Integer()
    open_fines = fields.List(fields.Nested(FineSchema))


class ClassCountSchema(Schema):
    clc_class = fields.String(metadata={"description": "Top-level CLC class, e.g. 'I'."})
    loans = fields.Integer()


class ActivitySchema(Schema):
    lifetime_loans = fields.Integer()
    loans_12_months = fields.Integer()
    last_activity_at = fields.DateTime(allow_none=True)
    favourite_classes = fields.List(fields.Nested(ClassCountSchema), metadata={
        "description": "Empty for a reader who keeps no reading history."})
    profiled_from_titles = fields.Boolean()


class SegmentSnapshotSchema(Schema):
    as_of = fields.Date()
    segment = fields.String(validate=validate.OneOf(SEGMENT_NAMES))
    r_score = fields.Integer()
    f_score = fields.Integer()
    v_score = fields.Integer()
    recency_days = fields.Integer(allow_none=True)
    frequency = fields.Integer()
    breadth = fields.Integer(allow_none=True, metadata={
        "description": "Distinct classes in the window; null when history is off."})
    tenure_days = fields.Integer()


class LapseReasonSchema(Schema):
    feature = fields.String()
    raises_risk = fields.Boolean()
    message_en = fields.String()
    message_zh = fields.String()


class LapseRiskSchema(Schema):
    active = fields.Boolean(metadata={"description": "Borrowed in the last year."})
    probability = fields.Float(allow_none=True, metadata={
        "description": "Chance of no loan in the next horizon_days."})
    served = fields.String(validate=validate.OneOf(("model", "rule")))
    horizon_days = fields.Integer()
    reasons = fields.List(fields.Nested(LapseReasonSchema))


class TimelineRowSchema(Schema):
    position = fields.Integer()
    occurred_at = fields.DateTime()
    type = fields.String()
    channel = fields.String(allow_none=True)
    detail = fields.Dict()


class TimelinePageSchema(Schema):
    items = fields.List(fields.Nested(TimelineRowSchema))
    total = fields.Integer()


class NoticeListSchema(Schema):
    items = fields.List(fields.Nested(NoticeSchema))
    total = fields.Integer()


class ReaderActivitiesSchema(Schema):
    """Library activities in the 360 view (the latest 20 sign-ups)."""

    signed_up = fields.Integer()
    attended = fields.Integer()
    items = fields.List(fields.Nested(MyActivitySchema))


class ReaderProfileSchema(Schema):
    reader = fields.Nested(ReaderSchema)
    position = fields.Integer(metadata={"description": "The log position this view reflects."})
    as_of = fields.Date(metadata={"description": "The library day the figures are for."})
    now = fields.Nested(NowSchema)
    activity = fields.Nested(ActivitySchema)
    segment = fields.Nested(SegmentSnapshotSchema, allow_none=True)
    segment_history = fields.List(fields.Nested(SegmentSnapshotSchema))
    lapse_risk = fields.Nested(LapseRiskSchema, allow_none=True)
    feedback = fields.List(fields.Nested(FeedbackSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    notices = fields.Nested(NoticeListSchema)
    timeline = fields.Nested(TimelinePageSchema)
    activities = fields.Nested(ReaderActivitiesSchema)


class SegmentCountsSchema(Schema):
    as_of = fields.Date(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    attended = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Readers of each segment who attended a library activity in the year "
                       "up to the refresh: which segments the activities reach."})


class MovementArgsSchema(MinPositionArgsSchema):
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))


class MovementRowSchema(Schema):
    from_as_of = fields.Date()
    to_as_of = fields.Date()
    from_segment = fields.String()
    to_segment = fields.String()
    readers = fields.Integer()


class MovementSchema(Schema):
    items = fields.List(fields.Nested(MovementRowSchema))
