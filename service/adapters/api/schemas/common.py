"""Schemas shared by every API module."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

LANGUAGES = ("zh-CN", "en")
# in_app: the notice is kept for the reader to read in the portal (the notices centre).
CHANNELS = ("email", "webhook", "in_app", "none")


def not_blank(value: str) -> None:
    if not value or not value.strip():
        raise ValidationError("Must not be blank.")


class PositionSchema(Schema):
    """Every command answer carries the log position of its last event."""

    position = fields.Integer(required=True, metadata={"description": "Log position reached."})
    replayed = fields.Boolean(
        load_default=False, metadata={"description": "True when an Idempotency-Key repeated."}
    )


# The one page-size policy of every paged list (the OpenAPI document shows it on each).
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000  # keeps (page - 1) * page_size far inside a 64-bit OFFSET


class MinPositionArgsSchema(Schema):
    min_position = fields.Integer(
        load_default=None, validate=validate.Range(min=0, max=2**62),
        metadata={"description": "Wait until the read model has reached this position."},
    )


class PageArgsSchema(MinPositionArgsSchema):
    """Query arguments of every paged list: ``page`` and ``page_size`` under one policy."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(
        load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE})."},
    )


class PageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, as ``service.adapters.api.problems.problem`` writes them."""

    class Meta:
        unknown = INCLUDE  # refusals may add members (e.g. the hold a copy is trapped for)

    type = fields.String(required=True, metadata={"description": "URI naming the problem."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True,
                         metadata={"description": "Stable machine-readable code."})
    detail = fields.String()
    instance = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Messages per input field."})
    message_en = fields.String()
    message_zh = fields.String()


class DefinitionSchema(Schema):
    """What a report figure means, in both languages (the same words as the page and exports)."""

    figure = fields.String(metadata={"description": "The figure defined (absent: the report)."})
    en = fields.String(required=True)
    zh = fields.String(required=True, data_key="zh-CN")
