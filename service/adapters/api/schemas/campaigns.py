"""Schemas of campaigns: the definition, the audience filter and the uplift report."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from service.application.commands import CreateCampaign
from service.domain.campaigns.audience import DEFAULT_HOLDOUT_PCT, LAPSE_BANDS, SEGMENTS, TEMPLATES


class CampaignAudienceSchema(Schema):
    """A segment, or a saved reader filter; absent keys match everyone."""

    category = fields.String(validate=validate.Length(max=64), metadata={
        "description": "Reader category code."})
    branch = fields.String(validate=validate.Length(max=64), metadata={
        "description": "Home branch code."})
    segment = fields.String(validate=validate.OneOf(SEGMENTS), metadata={
        "description": "The reader's latest RFV segment."})
    lapse_band = fields.String(validate=validate.OneOf(LAPSE_BANDS), metadata={
        "description": "Risk of lapsing: low (< 1/3), medium, high (>= 2/3)."})


class CreateCampaignSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    audience = fields.Nested(CampaignAudienceSchema, required=True)
    template = fields.String(required=True, validate=validate.OneOf(TEMPLATES))
    message = fields.String(load_default="", validate=validate.Length(max=2000), metadata={
        "description": "Free text; required for campaign_activity."})
    survey_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=64), metadata={
        "description": "campaign_survey only: the open survey its readers are invited to "
                       "answer in the portal (survey_not_open otherwise)."})
    holdout_pct = fields.Integer(load_default=DEFAULT_HOLDOUT_PCT,
                                 validate=validate.Range(min=0, max=50))
    send_at = fields.AwareDateTime(required=True, metadata={
        "description": "When the notices go out (the measured windows start then)."})

    @post_load
    def command(self, data: dict[str, Any], **kwargs: Any) -> CreateCampaign:
        return CreateCampaign(**data)


class CampaignLaunchSchema(Schema):
    seed = fields.Integer(load_default=None, allow_none=True,
                          validate=validate.Range(min=0, max=2 ** 62), metadata={
                              "description": "Seed of the hold-out draw (default: random)."})


class CampaignPreviewSchema(Schema):
    readers = fields.Integer()


class CampaignSchema(Schema):
    campaign_id = fields.String()
    name = fields.String()
    audience = fields.Nested(CampaignAudienceSchema)
    template = fields.String()
    message = fields.String()
    survey_id = fields.String(allow_none=True)
    holdout_pct = fields.Integer()
    send_at = fields.DateTime()
    status = fields.String(metadata={"description": "draft or launched"})
    seed = fields.Integer(allow_none=True)
    launched_at = fields.DateTime(allow_none=True)
    starts_at = fields.DateTime(allow_none=True)
    sent_count = fields.Integer()
    holdout_count = fields.Integer()
    notices_scheduled = fields.Integer()
    created_at = fields.DateTime()


class CampaignListSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema))


class CampaignIntervalSchema(Schema):
    difference = fields.Float()
    low = fields.Float()
    high = fields.Float()


class CampaignShareSchema(Schema):
    count = fields.Integer()
    share = fields.Float(allow_none=True)


class CampaignShareComparisonSchema(Schema):
    sent = fields.Nested(CampaignShareSchema)
    holdout = fields.Nested(CampaignShareSchema)
    interval = fields.Nested(CampaignIntervalSchema, allow_none=True)


class CampaignMeanComparisonSchema(Schema):
    sent = fields.Float()
    holdout = fields.Float()
    interval = fields.Nested(CampaignIntervalSchema, allow_none=True)


class CampaignWindowSchema(Schema):
    days = fields.Integer()
    complete = fields.Boolean(metadata={"description": "Whether the window has ended."})
    borrowed = fields.Nested(CampaignShareComparisonSchema)
    visited = fields.Nested(CampaignShareComparisonSchema)
    loans_per_reader = fields.Nested(CampaignMeanComparisonSchema)


class CampaignGroupCountsSchema(Schema):
    sent = fields.Integer()
    holdout = fields.Integer()


class CampaignReportSchema(Schema):
    campaign_id = fields.String()
    status = fields.String()
    readers = fields.Nested(CampaignGroupCountsSchema)
    windows = fields.List(fields.Nested(CampaignWindowSchema))
