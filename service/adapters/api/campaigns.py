"""Campaigns (librarian): create, preview the audience, launch, and the uplift report."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from projections.campaigns import get_campaign, list_campaigns
from service.adapters.api.auth import require
from service.adapters.api.common import perform_answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.campaigns import (
    CampaignAudienceSchema,
    CampaignLaunchSchema,
    CampaignListSchema,
    CampaignPreviewSchema,
    CampaignReportSchema,
    CampaignSchema,
    CreateCampaignSchema,
)
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.application.campaigns import campaign_report, preview_count
from service.application.commands import CreateCampaign, LaunchCampaign
from service.domain.errors import not_found

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns",
                description="Campaigns: a notice to a segment or a saved reader filter, with "
                            "a random hold-out group, and the measured uplift in borrowing "
                            "and visits (docs/campaigns.md).")


@blp.route("")
class Campaigns(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, CampaignListSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every campaign, newest first."""
        with read_model("campaigns") as conn:
            return {"items": list_campaigns(conn)}

    @blp.arguments(CreateCampaignSchema)
    @blp.response(201, CommandResultSchema)
    @require("librarian")
    def post(self, command: CreateCampaign) -> dict[str, Any]:
        """Create a campaign (a draft until launched); answers its `campaign_id`."""
        return perform_answer(command)


@blp.route("/preview")
class CampaignPreview(MethodView):
    @blp.arguments(CampaignAudienceSchema)
    @blp.response(200, CampaignPreviewSchema)
    @require("librarian")
    def post(self, audience: dict[str, Any]) -> dict[str, Any]:
        """How many readers an audience matches now (before the hold-out)."""
        return {"readers": preview_count(ports(), audience)}


@blp.route("/<campaign_id>")
class Campaign(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, CampaignSchema)
    @require("librarian")
    def get(self, args: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """One campaign."""
        with read_model("campaigns") as conn:
            found = get_campaign(conn, campaign_id)
        if found is None:
            raise not_found("Campaign", "campaign_not_found", "推广计划")
        return found


@blp.route("/<campaign_id>/launch")
class CampaignLaunch(MethodView):
    @blp.arguments(CampaignLaunchSchema)
    @blp.response(200, CommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """Freeze the audience and draw the hold-out (the seed and every assignment are
        recorded); the notices go out at the send time, once per reader."""
        return perform_answer(LaunchCampaign(campaign_id, data["seed"]))


@blp.route("/<campaign_id>/report")
class CampaignReport(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, CampaignReportSchema)
    @require("librarian")
    def get(self, args: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """Sent vs hold-out in the 30 and 60 days from the start, with 95 % intervals."""
        with read_model("campaigns"):
            return campaign_report(ports(), campaign_id)


CSV_COLUMNS = ("days", "measure", "sent", "holdout", "difference", "ci_low", "ci_high")


@blp.route("/<campaign_id>/report.csv")
class CampaignReportCsv(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, description="The report as CSV (UTF-8 with BOM).",
                  content_type="text/csv")
    @require("librarian")
    def get(self, args: dict[str, Any], campaign_id: str) -> Any:
        """The report as a table: one row per window and measure."""
        with read_model("campaigns"):
            report = campaign_report(ports(), campaign_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for w in report["windows"]:
            for measure in ("borrowed", "visited", "loans_per_reader"):
                part = w[measure]
                sent, held = part["sent"], part["holdout"]
                if measure != "loans_per_reader":
                    sent, held = sent["share"], held["share"]
                ci = part["interval"] or {}
                writer.writerow((w["days"], measure, sent, held, ci.get("difference"),
                                 ci.get("low"), ci.get("high")))
        response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="campaign-{campaign_id}-report.csv"')
        return response
