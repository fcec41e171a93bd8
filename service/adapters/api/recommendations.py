"""Recommendations for a reader, "also borrowed" for a title, and the reading year."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from service.adapters.api import reading_year_image
from service.adapters.api.auth import require
from service.adapters.api.common import ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.recommendations import (
    AlsoBorrowedSchema,
    ReadingYearArgsSchema,
    ReadingYearSchema,
    RecommendationArgsSchema,
    RecommendationsSchema,
)
from service.adapters.api.translations import request_lang
from service.application.relationships import reading_year as years
from service.application.relationships import recommendations as recs
from service.domain.errors import NotFound
from service.domain.locale import EN

blp = Blueprint("recommendations", __name__, url_prefix="/api/v1",
                description="Recommendations, readers who borrowed this also borrowed, and a "
                            "reader's own reading year.")
SELF = {"reader_self": "reader_id"}
# The reading year is the reader's alone: no staff role reaches it ("system" is no person).
ONLY_SELF = ("system", SELF)


@blp.route("/readers/<reader_id>/recommendations")
class ReaderRecommendations(MethodView):
    @blp.arguments(RecommendationArgsSchema, location="query")
    @blp.response(200, RecommendationsSchema)
    @require("desk", **SELF)
    def get(self, args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Titles for this reader: the nightly item-kNN list under the rules, or popular
        titles (fewer than 3 titles, or history switched off)."""
        with read_model(*recs.PROJECTIONS) as conn:
            return recs.for_reader(conn, reader_id, args["limit"])


@blp.route("/titles/<title_id>/also-borrowed")
class AlsoBorrowed(MethodView):
    @blp.arguments(RecommendationArgsSchema, location="query")
    @blp.response(200, AlsoBorrowedSchema)
    @require("reader")
    def get(self, args: dict[str, Any], title_id: str) -> dict[str, Any]:
        """Readers who borrowed this also borrowed (pairs at least 2 readers share)."""
        with read_model("co_borrowing", "catalogue") as conn:
            return recs.also_borrowed(conn, title_id, args["limit"])


def _year(reader_id: str, year: str) -> dict[str, Any]:
    if not (year.isascii() and year.isdigit() and 1900 <= int(year) <= 2999):
        raise NotFound("reading_year_not_found", "No such year.", "没有这一年。")
    with read_model(*years.PROJECTIONS) as conn:
        return years.reading_year(ports(), conn, reader_id, int(year))


@blp.route("/readers/<reader_id>/reading-year/<year>")
class ReadingYear(MethodView):
    @blp.arguments(ReadingYearArgsSchema, location="query")
    @blp.response(200, ReadingYearSchema)
    @require(ONLY_SELF[0], **ONLY_SELF[1])
    def get(self, _args: dict[str, Any], reader_id: str, year: str) -> dict[str, Any]:
        """The reader's own year in reading (only if they keep a reading history)."""
        return _year(reader_id, year)


@blp.route("/readers/<reader_id>/reading-year/<year>.png")
class ReadingYearImage(MethodView):
    @blp.arguments(ReadingYearArgsSchema, location="query")
    @blp.response(200, description="A 1080 x 1920 portrait PNG in zh-CN or en.",
                  content_type="image/png")
    @require(ONLY_SELF[0], **ONLY_SELF[1])
    def get(self, args: dict[str, Any], reader_id: str, year: str) -> Any:
        """The reading year as a shareable image (``?lang=`` or Accept-Language). Without the
        server's CJK font: 503, code ``reading_year_font_missing``."""
        lang = args["lang"] or request_lang(EN)
        png = reading_year_image.render(_year(reader_id, year), lang)
        response = Response(png, mimetype="image/png")
        response.headers["Content-Disposition"] = (
            f'inline; filename="reading-year-{year}.png"')
        response.headers["Cache-Control"] = "private, no-store"
        return response
