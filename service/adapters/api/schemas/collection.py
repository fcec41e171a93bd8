"""Schemas of the collection reports (issue 10): query arguments and chart-ready answers."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import DefinitionSchema, PageArgsSchema, PageSchema
from service.application.report_settings import MAX_MONTHS, MAX_YEARS, SCHEMES

# Far enough for any library's history; date arithmetic beyond would overflow (a 500).
AS_OF_RANGE = validate.Range(min=date(1800, 1, 1), max=date(2999, 12, 31))


class CollectionArgsSchema(PageArgsSchema):
    as_of = fields.Date(load_default=None, validate=AS_OF_RANGE, metadata={
        "description": "The state at the end of this day (library time, business time); "
                       "default today."})
    scheme = fields.String(load_default="clc", validate=validate.OneOf(SCHEMES), metadata={
        "description": "Classification: clc (CLC main classes, T by subclass), ddc (Dewey "
                       "hundreds) or lcc (LC letters); ddc and lcc show titles that have one."})
    branch = fields.String(load_default=None, validate=validate.Length(1, 64))
    class_prefix = fields.String(load_default=None, data_key="class",
                                 validate=validate.Length(1, 16), metadata={
                                     "description": "Classes starting with this ('T' takes TP, TN ...)."})
    item_type = fields.String(load_default=None, validate=validate.Length(1, 32))


class DeadStockArgsSchema(CollectionArgsSchema):
    months = fields.Integer(load_default=None, validate=validate.Range(1, MAX_MONTHS), metadata={
        "description": "N months instead of the configured dead_stock_months (a trial)."})


class WeedingArgsSchema(CollectionArgsSchema):
    age_years = fields.Integer(load_default=None, validate=validate.Range(0, MAX_YEARS),
                               metadata={"description": "X for every class (a trial)."})
    idle_years = fields.Integer(load_default=None, validate=validate.Range(0, MAX_YEARS),
                                metadata={"description": "Y for every class (a trial)."})


class _Answer(PageSchema):
    position = fields.Integer(required=True, metadata={
        "description": "The event-log position the answer reflects (every event up to it)."})
    as_of = fields.Date(required=True)
    scheme = fields.String(required=True)
    definitions = fields.List(fields.Nested(DefinitionSchema), required=True)


class ClassRowSchema(Schema):
    class_ = fields.String(data_key="class", attribute="class", required=True)
    branch = fields.String(required=True)
    holdings = fields.Integer(required=True)
    circulations = fields.Integer(required=True)
    monthly = fields.List(fields.Integer(), required=True,
                          metadata={"description": "Checkouts per month, as in `months`."})
    turnover = fields.Float(allow_none=True)
    circulated_copies = fields.Integer()
    percent_circulated = fields.Float(allow_none=True)
    share_of_circulations = fields.Float(allow_none=True, metadata={"description": "Percent."})
    share_of_holdings = fields.Float(allow_none=True, metadata={"description": "Percent."})
    relative_use = fields.Float(allow_none=True)
    average_age = fields.Float(allow_none=True, metadata={"description": "Years."})
    median_age = fields.Float(allow_none=True, metadata={"description": "Years."})
    dated_copies = fields.Integer(metadata={"description": "Copies with a publication year."})


class ClassTotalsSchema(Schema):
    holdings = fields.Integer()
    circulations = fields.Integer()
    monthly = fields.List(fields.Integer())
    turnover = fields.Float(allow_none=True)
    circulated_copies = fields.Integer()
    percent_circulated = fields.Float(allow_none=True)
    average_age = fields.Float(allow_none=True)
    median_age = fields.Float(allow_none=True)


class WindowSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()


class ClassUseSchema(_Answer):
    months = fields.List(fields.String(), required=True, metadata={
        "description": "The 12 month buckets ('YYYY-MM', oldest first)."})
    window = fields.Nested(WindowSchema, required=True)
    totals = fields.Nested(ClassTotalsSchema, required=True)
    items = fields.List(fields.Nested(ClassRowSchema), required=True)


class CopyRowSchema(Schema):
    barcode = fields.String(required=True)
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    class_ = fields.String(data_key="class", attribute="class", allow_none=True)
    branch = fields.String()
    item_type = fields.String()
    year = fields.Integer(allow_none=True)
    added_on = fields.Date()
    circulations = fields.Integer()
    renewals = fields.Integer()
    last_circulated_on = fields.Date(allow_none=True)
    on_loan = fields.Boolean()
    days_on_shelf = fields.Integer(allow_none=True)


class CopiesSchema(_Answer):
    items = fields.List(fields.Nested(CopyRowSchema), required=True)


class TitleRowSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    class_ = fields.String(data_key="class", attribute="class", allow_none=True)
    year = fields.Integer(allow_none=True)
    copies = fields.Integer()
    circulations = fields.Integer()
    renewals = fields.Integer()
    on_loan = fields.Integer()
    last_circulated_on = fields.Date(allow_none=True)
    circulations_per_copy = fields.Float()


class TitlesSchema(_Answer):
    items = fields.List(fields.Nested(TitleRowSchema), required=True)


class DeadRowSchema(CopyRowSchema):
    reason = fields.String(metadata={"description": "idle (lent before) or never."})
    last_used_on = fields.Date()


class DeadStockSchema(_Answer):
    months = fields.Integer(required=True)
    cutoff = fields.Date(required=True, metadata={"description": "as_of minus N months."})
    items = fields.List(fields.Nested(DeadRowSchema), required=True)


class WeedingRowSchema(CopyRowSchema):
    age_years = fields.Integer(allow_none=True)
    last_used_on = fields.Date()
    idle_days = fields.Integer()
    rule_age_years = fields.Integer(allow_none=True, metadata={"description": "X (None: any)."})
    rule_idle_years = fields.Integer(metadata={"description": "Y."})


class WeedingSchema(_Answer):
    items = fields.List(fields.Nested(WeedingRowSchema), required=True)


class HoldRowSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    class_ = fields.String(data_key="class", attribute="class", allow_none=True)
    year = fields.Integer(allow_none=True)
    item_type = fields.String(allow_none=True)
    active_holds = fields.Integer()
    holdable_copies = fields.Integer()
    holds_ratio = fields.Float(allow_none=True, metadata={"description": "None: no copies."})
    holds_per_copy_target = fields.Integer(metadata={"description": "R for the item type."})
    copies_needed = fields.Integer()


class HoldsPressureSchema(_Answer):
    items = fields.List(fields.Nested(HoldRowSchema), required=True)


class ReportSettingsSchema(Schema):
    class Meta:
        unknown = "include"  # validated by service.application.report_settings, per field

    dead_stock_months = fields.Integer()
    default_holds_per_copy = fields.Integer()
    holds_per_copy = fields.Dict(keys=fields.String(), values=fields.Integer())
    weeding = fields.Dict(metadata={
        "description": "{scheme: {class: {age_years: X or null, idle_years: Y}}}."})
