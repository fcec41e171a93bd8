"""Schemas of recommendations, "also borrowed" and the reading year."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import MinPositionArgsSchema


class RecommendationArgsSchema(MinPositionArgsSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class RecommendedTitleSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    authors = fields.List(fields.String(), required=True)
    clc_class = fields.String(allow_none=True)
    score = fields.Float(required=True)
    on_shelf = fields.Boolean(required=True, metadata={
        "description": "On the shelf at the reader's branch (ranked higher)."})
    source = fields.String(required=True, validate=validate.OneOf(["item_knn", "popular"]))


class RecommendationsSchema(Schema):
    reader_id = fields.String(required=True)
    personal = fields.Boolean(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(
        ["item_knn", "popular", "history_off"]), metadata={"description": (
            "item_knn: the nightly list; popular: fewer than 3 titles or no list yet; "
            "history_off: the reader keeps no history, so nothing personal is used.")})
    keeps_history = fields.Boolean(required=True)
    branch = fields.String(allow_none=True)
    as_of = fields.Date(allow_none=True)
    items = fields.List(fields.Nested(RecommendedTitleSchema), required=True)


class AlsoBorrowedTitleSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    authors = fields.List(fields.String(), required=True)
    clc_class = fields.String(allow_none=True)
    readers = fields.Integer(required=True, metadata={"description": "Readers who borrowed both."})
    similarity = fields.Float(required=True)


class AlsoBorrowedSchema(Schema):
    title_id = fields.String(required=True)
    min_readers = fields.Integer(required=True)
    items = fields.List(fields.Nested(AlsoBorrowedTitleSchema), required=True)


class ReadingYearArgsSchema(Schema):
    """No min_position: the year is replayed from the reader's own stream of the log."""

    lang = fields.String(load_default=None, validate=validate.OneOf(["zh-CN", "en"]))


class YearBookSchema(Schema):
    title_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    authors = fields.List(fields.String(), required=True)
    borrowed_on = fields.Date(allow_none=True)


class CountedSchema(Schema):
    clc_class = fields.String()
    name = fields.String()
    books = fields.Integer(required=True)


class ReadingYearSchema(Schema):
    reader_id = fields.String(required=True)
    year = fields.Integer(required=True)
    books = fields.Integer(required=True)
    loans = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    pages_known = fields.Integer(required=True, metadata={
        "description": "Books whose extent gave a page count."})
    favourite_classes = fields.List(fields.Nested(CountedSchema), required=True)
    favourite_authors = fields.List(fields.Nested(CountedSchema), required=True)
    busiest_month = fields.Integer(allow_none=True)
    busiest_month_loans = fields.Integer(required=True)
    longest_streak_weeks = fields.Integer(required=True, metadata={
        "description": "Most consecutive ISO weeks with at least one loan."})
    streak_from = fields.Date(allow_none=True)
    streak_to = fields.Date(allow_none=True)
    first_book = fields.Nested(YearBookSchema, allow_none=True)
    last_book = fields.Nested(YearBookSchema, allow_none=True)
    favourite_book = fields.Nested(YearBookSchema, allow_none=True)
    others_read_favourite = fields.Integer(required=True)
