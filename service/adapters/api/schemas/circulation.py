"""Request and response shapes for circulation: loans, holds, fines, feedback, reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    validate,
    validates_schema,
)

from service.adapters.api.schemas.catalogue import BARCODE, BRANCH
from service.adapters.api.schemas.common import MinPositionArgsSchema, PageArgsSchema, not_blank
from service.adapters.api.schemas.readers import CARD
from service.application.commands import CheckIn, CheckOut, MarkLost

ANY_RESULT = {"description": "Command result"}


# The desk scanner reads either the card or the portal's e-card code (service/application/ecard.py).
CARD_OR_ECARD = validate.Regexp(
    r"^([A-Za-z0-9\-]{1,32}|EC1:[A-Za-z0-9\-]{1,32}:[0-9A-Z]{1,8}:[A-Z2-7]{16})$",
    error="A card number (letters, digits and '-', max 32) or an e-card code.")


OVERRIDE_REASON = fields.String(
    load_default=None, allow_none=True, validate=validate.Length(min=1, max=500),
    metadata={"description": "A librarian passing soft refusals (loan limit, fines block, "
              "renewal limit, copy held for another reader), and why; recorded in the event. "
              "Hard refusals (copy on loan to someone else, unknown copy) are never passed "
              "(override_not_allowed); the desk role may not (override_forbidden)."})


class CheckOutSchema(Schema):
    card_number = fields.String(required=True, validate=CARD_OR_ECARD)
    barcode = fields.String(required=True, validate=BARCODE)
    branch = fields.String(load_default=None, allow_none=True, validate=BRANCH)
    override_reason = OVERRIDE_REASON

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> CheckOut:
        return CheckOut(**data)


class CheckInSchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)
    branch = fields.String(load_default=None, allow_none=True, validate=BRANCH)
    returned_at = fields.AwareDateTime(
        load_default=None, allow_none=True,
        metadata={"description": "Book drop: when the copy was dropped (at most 14 days ago); "
                  "the loan closes and the fine runs to then."})

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> CheckIn:
        return CheckIn(**data)


class RenewSchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)
    override_reason = OVERRIDE_REASON


class LostSchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> MarkLost:
        return MarkLost(**data)


class CommandResultSchema(Schema):
    """Every command answer: its result fields plus the log position reached."""

    class Meta:
        unknown = INCLUDE  # documents the result fields keep_result_fields passes through

    position = fields.Integer(required=True)
    replayed = fields.Boolean()

    @post_dump(pass_original=True)
    def keep_result_fields(self, data: dict[str, Any], original: Any, **kwargs: Any) -> dict[str, Any]:
        # Command results are JSON-safe already (they are stored for idempotent replays);
        # the declared fields document the common ones, the rest pass through as they are.
        extra = {k: v for k, v in original.items() if k not in data} if isinstance(original, dict) else {}
        return {**extra, **data}


class CheckOutResultSchema(CommandResultSchema):
    loan_id = fields.String()
    barcode = fields.String()
    title_id = fields.String()
    title = fields.String()
    reader_id = fields.String()
    due_on = fields.String(metadata={"format": "date"})
    hold_fulfilled = fields.String(allow_none=True)


class CheckInResultSchema(CommandResultSchema):
    barcode = fields.String()
    title = fields.String()
    route = fields.String(metadata={"description": "shelf, hold_shelf or transit"})
    transit_to = fields.String(metadata={"description": "The branch to send the copy to"})
    hold_reader_name = fields.String(allow_none=True)
    hold_reader_card = fields.String(allow_none=True)
    message_en = fields.String()
    message_zh = fields.String()
    loan_closed = fields.String(allow_none=True)
    reader_id = fields.String()
    fine_fen = fields.Integer()
    days_late = fields.Integer()
    hold_id = fields.String()
    hold_reader_id = fields.String()
    pickup_by = fields.String(allow_none=True, metadata={"format": "date"})
    pickup_branch = fields.String(allow_none=True)


class RenewResultSchema(CommandResultSchema):
    loan_id = fields.String()
    barcode = fields.String()
    due_on = fields.String(metadata={"format": "date"})
    renewals_used = fields.Integer()
    renewals_left = fields.Integer()
    fine_fen = fields.Integer(metadata={"description": "Fine charged for lateness when an "
                                        "overdue loan was renewed (policy renew_overdue)."})


class RenewAllResultSchema(Schema):
    reader_id = fields.String()
    position = fields.Integer()
    results = fields.List(fields.Dict())


class LoanSchema(Schema):
    loan_id = fields.String()
    barcode = fields.String()
    title_id = fields.String()
    title = fields.String(allow_none=True)
    enumeration = fields.String(allow_none=True, metadata={"description": "Volume, e.g. v.3."})
    chronology = fields.String(allow_none=True, metadata={"description": "Year/issue."})
    reader_id = fields.String()
    branch = fields.String()
    item_type = fields.String()
    opened_at = fields.DateTime()
    due_on = fields.Date()
    renewals_used = fields.Integer()
    days_overdue = fields.Integer()


class InstantOrDay(fields.AwareDateTime):
    """An aware instant, or a bare day (YYYY-MM-DD) meaning the end of that local day."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return super()._deserialize(value, attr, data, **kwargs)


class LoanListArgsSchema(PageArgsSchema):
    overdue = fields.Boolean(load_default=False)
    reader = fields.String(load_default=None)
    barcode = fields.String(load_default=None)
    as_of = InstantOrDay(load_default=None, default_timezone=None, metadata={
        "description": "Loans open at this instant, by business time (when the loan was opened "
                       "and closed, not when it was recorded); a bare day means its end, "
                       "library time."})

    @validates_schema
    def as_of_needs_a_subject(self, data: dict, **kwargs: object) -> None:
        if data.get("as_of") and not (data.get("reader") or data.get("barcode")):
            raise ValidationError("as_of needs reader or barcode.", "as_of")


class PlaceHoldSchema(Schema):
    card_number = fields.String(load_default=None, validate=CARD,
                                metadata={"description": "Staff only; readers hold for themselves."})
    title_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    pickup_branch = fields.String(required=True, validate=BRANCH)
    enumeration = fields.String(load_default=None, allow_none=True, validate=[
        not_blank, validate.Length(max=64)], metadata={
        "description": "Hold one volume (e.g. v.3); omitted: any copy of the title."})


class CancelHoldArgsSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=400))


class HoldSchema(Schema):
    hold_id = fields.String()
    title_id = fields.String()
    title = fields.String(allow_none=True)
    reader_id = fields.String()
    pickup_branch = fields.String()
    placed_at = fields.DateTime()
    status = fields.String()
    queue_position = fields.Integer(allow_none=True)
    enumeration = fields.String(allow_none=True)
    barcode = fields.String(allow_none=True)
    pickup_by = fields.Date(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)


class HoldListArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["waiting", "trapped", "fulfilled", "expired", "cancelled"]))
    title_id = fields.String(load_default=None)


class FineSchema(Schema):
    fine_id = fields.String()
    kind = fields.String()
    amount_fen = fields.Integer()
    paid_fen = fields.Integer()
    waived_fen = fields.Integer()
    owed_fen = fields.Integer()
    barcode = fields.String(allow_none=True)
    title_id = fields.String(allow_none=True)
    days_late = fields.Integer()
    assessed_at = fields.DateTime()
    waive_reason = fields.String(allow_none=True)


class FinesSchema(Schema):
    balance_fen = fields.Integer()
    currency = fields.String()
    fines = fields.List(fields.Nested(FineSchema))


class PaymentSchema(Schema):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000_000))
    method = fields.String(load_default="cash", validate=validate.OneOf(
        ["cash", "card", "wechat", "alipay", "other"]))


class WaiveSchema(Schema):
    amount_fen = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1, max=10_000_000))
    reason = fields.String(required=True, validate=[not_blank, validate.Length(max=400)])


class FeedbackSubmitSchema(Schema):
    card_number = fields.String(load_default=None, validate=CARD,
                                metadata={"description": "Staff submitting for a reader."})
    category = fields.String(required=True, validate=validate.OneOf(
        ["service", "collection", "facility", "other"]))
    text = fields.String(required=True, validate=[not_blank, validate.Length(max=4000)])
    rating = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 5))
    title_id = fields.String(load_default=None, allow_none=True)


class FeedbackAnswerSchema(Schema):
    answer = fields.String(required=True, validate=[not_blank, validate.Length(max=4000)])
    close = fields.Boolean(load_default=False)


class FeedbackSchema(Schema):
    feedback_id = fields.String()
    reader_id = fields.String()
    category = fields.String()
    text = fields.String()
    rating = fields.Integer(allow_none=True)
    title_id = fields.String(allow_none=True)
    status = fields.String()
    answer = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class StatusArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.Length(max=16))


class SuggestionSubmitSchema(Schema):
    card_number = fields.String(load_default=None, validate=CARD)
    title = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])
    author = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    isbn = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SuggestionDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(
        ["accepted", "ordered", "rejected"]))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def rejection_needs_reason(self, data: dict, **kwargs: object) -> None:
        if data.get("decision") == "rejected" and not data.get("reason", "").strip():
            raise ValidationError("A rejection needs a reason.", "reason")


class SuggestionSchema(Schema):
    suggestion_id = fields.String()
    reader_id = fields.String()
    title = fields.String()
    author = fields.String(allow_none=True)
    isbn = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    status = fields.String()
    decision_reason = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class TrendArgsSchema(Schema):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    interval = fields.String(load_default="day", validate=validate.OneOf(["day", "week", "month"]))
    group_by = fields.String(load_default=None, validate=validate.OneOf(
        ["class", "branch", "category"]))

    @validates_schema
    def ordered_range(self, data: dict, **kwargs: object) -> None:
        if data["from_"] > data["to"]:
            raise ValidationError("'from' must not be after 'to'.", "from")
        if (data["to"] - data["from_"]).days > 3 * 366:
            raise ValidationError("At most three years at a time.", "to")


class TrendRowSchema(Schema):
    period = fields.String()
    group = fields.String()
    checkouts = fields.Integer()
    returns = fields.Integer()
    renewals = fields.Integer()
    holds_placed = fields.Integer()
    distinct_readers = fields.Integer()


class TrendReportSchema(Schema):
    rows = fields.List(fields.Nested(TrendRowSchema))
    interval = fields.String()
    group_by = fields.String(allow_none=True)


class TimelineEntrySchema(Schema):
    position = fields.Integer()
    recorded_at = fields.DateTime()
    type = fields.String()
    actor = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    data = fields.Dict()
    erased_fields = fields.List(fields.String())


class TimelineSchema(Schema):
    items = fields.List(fields.Nested(TimelineEntrySchema))


class TransitSchema(Schema):
    barcode = fields.String()
    title_id = fields.String()
    title = fields.String(allow_none=True)
    from_branch = fields.String()
    to_branch = fields.String()
    reason = fields.String(metadata={"description": "home or hold"})
    hold_id = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime()


class BranchArgsSchema(MinPositionArgsSchema):
    branch = fields.String(load_default=None, validate=BRANCH)


class TransitArgsSchema(MinPositionArgsSchema):
    to_branch = fields.String(load_default=None, validate=BRANCH)
    from_branch = fields.String(load_default=None, validate=BRANCH)


class PullItemSchema(Schema):
    barcode = fields.String()
    title_id = fields.String()
    title = fields.String(allow_none=True)
    branch = fields.String()
    shelf_mark = fields.String(allow_none=True)
    enumeration = fields.String(allow_none=True)
    hold_id = fields.String()
    reader_id = fields.String()
    pickup_branch = fields.String()


class HoldShelfArgsSchema(MinPositionArgsSchema):
    branch = fields.String(load_default=None, validate=BRANCH)
    on = fields.Date(load_default=None, metadata={"description": "Default: today"})


class HoldShelfItemSchema(Schema):
    hold_id = fields.String()
    barcode = fields.String(allow_none=True)
    title_id = fields.String()
    title = fields.String(allow_none=True)
    reader_id = fields.String()
    reader_name = fields.String(allow_none=True)
    card_number = fields.String(allow_none=True)
    pickup_branch = fields.String()
    pickup_by = fields.Date()
    expired = fields.Boolean(metadata={"description": "The deadline passed before that day"})
