"""Reports read precomputed projections only (never the raw log on a request)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.trends import report
from service.adapters.api.auth import require
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import TrendArgsSchema, TrendReportSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Circulation trends by day, week or month.")


@blp.route("/trends")
class TrendReport(MethodView):
    @blp.arguments(TrendArgsSchema, location="query")
    @blp.response(200, TrendReportSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Checkouts, returns, renewals, holds placed and distinct readers per period,
        optionally grouped by CLC class, branch or reader category."""
        with read_model("trends") as conn:
            rows = report(conn, args["from_"], args["to"], args["interval"], args["group_by"])
        return {"rows": rows, "interval": args["interval"], "group_by": args["group_by"]}
