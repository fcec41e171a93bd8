"""Schemas of library activities and reader surveys."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.catalogue import BRANCH
from service.adapters.api.schemas.circulation import CARD_OR_ECARD
from service.adapters.api.schemas.common import MinPositionArgsSchema, PageArgsSchema, not_blank
from service.adapters.api.schemas.readers import CARD, CATEGORY
from service.domain.engagement.activities import KINDS, MAX_CAPACITY
from service.domain.engagement.surveys import MAX_QUESTIONS, MAX_TEXT, TYPES

TITLE = [not_blank, validate.Length(max=300)]
DESCRIPTION = validate.Length(max=4000)


class ActivityPublishSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title_zh = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    description_zh = fields.String(load_default="", validate=DESCRIPTION)
    description_en = fields.String(load_default="", validate=DESCRIPTION)
    branch = fields.String(required=True, validate=BRANCH, metadata={
        "description": "A branch code of the managed lists (refused if unknown)."})
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    audience_category = fields.String(load_default=None, allow_none=True, validate=CATEGORY,
                                      metadata={"description": "Only readers of this category "
                                                "may sign up (none: everyone)."})


class ActivityArgsSchema(PageArgsSchema):
    include_past = fields.Boolean(load_default=False, metadata={
        "description": "Also activities that have ended (default: current and coming ones)."})


class LibraryActivitySchema(Schema):
    activity_id = fields.String(required=True)
    kind = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    description_zh = fields.String()
    description_en = fields.String()
    branch = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    audience_category = fields.String(allow_none=True)
    seated = fields.Integer(metadata={"description": "Seats taken by readers not yet attended."})
    attended = fields.Integer()
    waiting = fields.Integer()
    free = fields.Integer(metadata={"description": "Seats still free."})
    my_status = fields.String(allow_none=True, metadata={
        "description": "For a reader: seated, waiting, attended, cancelled or none."})
    my_waiting_place = fields.Integer(allow_none=True, metadata={
        "description": "For a waiting reader: 1 = next to be given a freed seat."})


class SignUpSchema(Schema):
    card_number = fields.String(load_default=None, validate=CARD, metadata={
        "description": "Staff signing a reader up name the card; a reader signs up themselves."})


class SignUpRowSchema(Schema):
    reader_id = fields.String(required=True)
    status = fields.String(required=True)
    signed_up_at = fields.DateTime()
    seated_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    attended_at = fields.DateTime(allow_none=True)
    card_number = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class AttendanceSchema(Schema):
    code = fields.String(required=True, validate=CARD_OR_ECARD, metadata={
        "description": "What the scanner read at the door: a card number or an e-card code."})


class MyActivitySchema(Schema):
    activity_id = fields.String(required=True)
    status = fields.String(required=True)
    kind = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    branch = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    signed_up_at = fields.DateTime()
    attended_at = fields.DateTime(allow_none=True)


class ReportArgsSchema(MinPositionArgsSchema):
    since = fields.AwareDateTime(load_default=None, metadata={
        "description": "Activities starting at or after this instant."})
    until = fields.AwareDateTime(load_default=None, metadata={
        "description": "Activities starting before this instant."})


class ActivityReportRowSchema(Schema):
    activity_id = fields.String(required=True)
    kind = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    branch = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    sign_ups = fields.Integer(metadata={"description": "Every sign-up, cancelled ones too."})
    seats_taken = fields.Integer()
    waiting = fields.Integer()
    attended = fields.Integer()
    attendance_rate = fields.Float(allow_none=True, metadata={
        "description": "Attended / seats taken (0..1)."})
    new_readers = fields.Integer(metadata={
        "description": "Attendees who registered within 30 days before the activity started, "
                       "or whose first loan ever came after it started and within 30 days "
                       "after it ended."})


class ActivityReportSchema(Schema):
    items = fields.List(fields.Nested(ActivityReportRowSchema), required=True)


# --- surveys -------------------------------------------------------------------------------

class OptionSchema(Schema):
    zh = fields.String(required=True, validate=[not_blank, validate.Length(max=200)])
    en = fields.String(required=True, validate=[not_blank, validate.Length(max=200)])


class QuestionSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_]{1,16}$"))
    type = fields.String(required=True, validate=validate.OneOf(TYPES), metadata={
        "description": "single, multiple (choices), rating (1-5), nps (0-10) or text."})
    text_zh = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])
    text_en = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])
    options = fields.List(fields.Nested(OptionSchema), load_default=list,
                          validate=validate.Length(max=20))
    required = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "Default: required, except free-text questions."})


class SurveyCreateSchema(Schema):
    title_zh = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    questions = fields.List(fields.Nested(QuestionSchema), required=True,
                            validate=validate.Length(min=1, max=MAX_QUESTIONS))
    anonymous = fields.Boolean(load_default=False, metadata={
        "description": "Anonymous: results never name who answered (free texts included)."})
    audience_category = fields.String(load_default=None, allow_none=True, validate=CATEGORY,
                                      metadata={"description": "Sent to readers of this "
                                                "category only (none: every reader)."})


class SurveyArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(("draft", "open", "closed")))


class SurveySchema(Schema):
    survey_id = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    questions = fields.List(fields.Dict(), required=True)
    anonymous = fields.Boolean(required=True)
    audience_category = fields.String(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    answers = fields.Integer(metadata={"description": "Answers so far."})
    answered = fields.Boolean(metadata={"description": "For a reader: already answered."})


class AnswerSheetSchema(Schema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=16)), required=True,
                          metadata={"description": "Question id -> option index (single), "
                                    "list of option indexes (multiple), score (rating 1-5, "
                                    f"nps 0-10) or text (at most {MAX_TEXT} characters)."})


class QuestionResultSchema(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True)
    text_zh = fields.String()
    text_en = fields.String()
    answered = fields.Integer(metadata={"description": "Answers giving this question a value."})
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Option index or score -> answers (choice and scale questions)."})
    mean = fields.Float(allow_none=True, metadata={"description": "Rating and nps: the mean."})
    nps = fields.Integer(allow_none=True, metadata={
        "description": "nps questions: % promoters (9-10) - % detractors (0-6), -100..100."})
    texts = fields.List(fields.Dict(), metadata={
        "description": "Free texts, each with reader_id only if the survey is named."})


class SurveyResultsSchema(Schema):
    survey = fields.Nested(SurveySchema, required=True)
    responses = fields.Integer(required=True)
    sent_to = fields.Integer(required=True, metadata={
        "description": "Readers the survey was sent to: those of its audience category, or "
                       "every reader not erased when it was sent to everyone."})
    response_rate = fields.Float(allow_none=True, metadata={"description": "responses / sent_to."})
    questions = fields.List(fields.Nested(QuestionResultSchema), required=True)


