"""The staff 360 view of a reader, and segment counts and movement (read models only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.reader_segment_queries import (
    attended_by_segment,
    latest_as_of,
    segment_counts,
    segment_movement,
)
from service.adapters.api.auth import require
from service.adapters.api.common import ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.adapters.api.schemas.reader_profile import (
    MovementArgsSchema,
    MovementSchema,
    ReaderProfileSchema,
    SegmentCountsSchema,
)
from service.application.relationships.profile import PROFILE_PROJECTIONS, reader_360
from service.application.settings import library_today
from service.domain.errors import NotFound

blp = Blueprint("reader_profile", __name__, url_prefix="/api/v1",
                description="Knowing readers: the 360 view, segments and lapse risk.")


@blp.route("/readers/<reader_id>/profile")
class ReaderProfile(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ReaderProfileSchema)
    @require("librarian")
    def get(self, _args: dict[str, Any], reader_id: str) -> dict[str, Any]:
        """Everything staff may know of one reader: contact, circulation now, activity,
        segment and its history, lapse risk with its reasons, feedback, notices, timeline."""
        p = ports()
        with read_model(*PROFILE_PROJECTIONS) as conn:
            view = reader_360(conn, reader_id, library_today(p.clock(), p.timezone))
        if view is None:
            raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
        return view


@blp.route("/segments")
class Segments(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, SegmentCountsSchema)
    @require("librarian")
    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        """Readers per segment at the latest nightly refresh, and of them those who attended
        a library activity in the year up to it."""
        with read_model("reader_segments", "activities") as conn:
            as_of = latest_as_of(conn)
            return {"as_of": as_of, "counts": segment_counts(conn, as_of),
                    "attended": attended_by_segment(conn, as_of)}


@blp.route("/segments/movement")
class SegmentMovement(MethodView):
    @blp.arguments(MovementArgsSchema, location="query")
    @blp.response(200, MovementSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Readers moving between segments from one month's last refresh to the next's."""
        with read_model("reader_segments") as conn:
            return {"items": segment_movement(conn, args["months"])}
