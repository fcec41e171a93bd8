"""Reports read precomputed projections only (never the raw log on a request)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.report_readers import previous_window, report_readers
from projections.report_service import report_service
from projections.report_top import report_top
from projections.runner import checkpoint
from projections.trends import report
from service.adapters.api.auth import require
from service.adapters.api.common import offset, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import TrendArgsSchema, TrendReportSchema
from service.adapters.api.schemas.reports import (
    ReadersArgsSchema,
    ReadersReportSchema,
    ServiceArgsSchema,
    ServiceReportSchema,
    TopArgsSchema,
    TopPageSchema,
)
from service.application.settings import library_today
from service.domain.analytics.definitions import definitions, described

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Circulation trends; Readers, Top and Service reports from roll-ups "
                            "(each answer names the log position it reflects).")
ROLLUPS = "report_rollups"


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


def window(args: dict[str, Any]) -> tuple[date, date]:
    """The requested range, defaulting to the 30 local days ending today."""
    end = args["to"] or library_today(ports().clock(), ports().timezone)
    start = args["from_"] or min(end - timedelta(days=29), end)
    if start > end:  # only 'from' given, in the future of today
        end = start
    return start, end


def _meta(conn: Any, report_name: str, start: date, end: date) -> dict[str, Any]:
    # The checkpoint is read before the rows: the answer reflects at least this position.
    return {"position": checkpoint(conn, ROLLUPS), "from_": start, "to": end,
            "definitions": definitions(report_name)}


@blp.route("/readers")
class ReadersReport(MethodView):
    @blp.doc(description=described("readers"))
    @blp.arguments(ReadersArgsSchema, location="query")
    @blp.response(200, ReadersReportSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Active, new, returning and lapsed readers over the range (distinct over the whole
        range), optionally by branch or reader category; loans per active reader."""
        start, end = window(args)
        before = previous_window(start, end)
        with read_model(ROLLUPS) as conn, conn.begin():
            meta = _meta(conn, "readers", start, end)
            rows = report_readers(conn, start, end, group_by=args["group_by"],
                                  branch=args["branch"], category=args["category"])
        return {**meta, "group_by": args["group_by"], "previous_from": before[0],
                "previous_to": before[1], "rows": rows}


@blp.route("/top")
class TopReport(MethodView):
    @blp.doc(description=described("top"))
    @blp.arguments(TopArgsSchema, location="query")
    @blp.response(200, TopPageSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Most borrowed titles, authors or classes over the range, by branch and reader
        category (paged, most circulations first)."""
        start, end = window(args)
        with read_model(ROLLUPS) as conn, conn.begin():
            meta = _meta(conn, "top", start, end)
            items, total = report_top(conn, start, end, by=args["by"], branch=args["branch"],
                                      category=args["category"], clc=args["clc"],
                                      offset=offset(args), limit=args["page_size"])
        return {**meta, "by": args["by"], "items": items, "total": total, "page": args["page"],
                "page_size": args["page_size"]}


@blp.route("/service")
class ServiceReport(MethodView):
    @blp.doc(description=described("service"))
    @blp.arguments(ServiceArgsSchema, location="query")
    @blp.response(200, ServiceReportSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Overdue aging (as of a day), holds fill time, desk heatmap, channel mix, answers
        to feedback and suggestions, and a branch comparison."""
        start, end = window(args)
        as_of = args["as_of"] or end
        with read_model(ROLLUPS) as conn, conn.begin():
            meta = _meta(conn, "service", start, end)
            body = report_service(conn, start, end, as_of, ports().timezone,
                                  branch=args["branch"], category=args["category"],
                                  channel=args["channel"])
        return {**meta, **body, "as_of": as_of, "channel": args["channel"]}
