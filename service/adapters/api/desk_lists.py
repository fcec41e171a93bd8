"""The desk's lists: copies in transit, the day's pull list, the hold shelf."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.desk_lists import hold_shelf, pull_list
from projections.transits import list_transits
from service.adapters.api.auth import require
from service.adapters.api.common import ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import (
    BranchArgsSchema,
    HoldShelfArgsSchema,
    HoldShelfItemSchema,
    PullItemSchema,
    TransitArgsSchema,
    TransitSchema,
)
from service.application.settings import library_today

blp = Blueprint("desk_lists", __name__, url_prefix="/api/v1",
                description="Desk lists: copies in transit, the pull list, the hold shelf.")


@blp.route("/transits")
class Transits(MethodView):
    @blp.arguments(TransitArgsSchema, location="query")
    @blp.response(200, TransitSchema(many=True))
    @require("desk")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Copies on their way between branches (to_branch: what this branch will receive)."""
        with read_model("transits", "catalogue") as conn:
            return list_transits(conn, to_branch=args["to_branch"],
                                 from_branch=args["from_branch"])


@blp.route("/desk/pull-list")
class PullList(MethodView):
    @blp.arguments(BranchArgsSchema, location="query")
    @blp.response(200, PullItemSchema(many=True))
    @require("desk")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Copies to fetch from the shelf for waiting holds (branch: where the copy stands);
        checking a fetched copy in sets it aside for the hold."""
        with read_model("hold_queue", "catalogue") as conn:
            return pull_list(conn, args["branch"])


@blp.route("/desk/hold-shelf")
class HoldShelf(MethodView):
    @blp.arguments(HoldShelfArgsSchema, location="query")
    @blp.response(200, HoldShelfItemSchema(many=True))
    @require("desk")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Copies on the hold shelf whose pickup deadline is that day (default today) or
        already passed (expired: take them off the shelf)."""
        on = args["on"] or library_today(ports().clock(), ports().timezone)
        with read_model("hold_queue", "catalogue", "reader_profiles") as conn:
            return hold_shelf(conn, on, args["branch"])
