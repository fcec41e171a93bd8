"""Export endpoints (librarian): streamed CSV or XLSX of any read model, with its position."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.adapters.api.auth import require
from service.adapters.api.common import ports
from service.adapters.api.consistency import query_engine
from service.adapters.api.schemas.imports import ExportArgsSchema, MarcExportArgsSchema
from service.application.collection_reports import query_from
from service.application.report_settings import current_report_settings
from service.application.settings import library_today
from service.data.exporting import (
    FORMATS,
    KINDS,
    ExportParams,
    content_disposition,
    export_filename,
    kind_named,
    open_export,
)
from service.data.exporting.event_log import MEDIA_TYPE, open_event_log
from service.data.exporting.marc_writer import iso2709

blp = Blueprint("exports", __name__, url_prefix="/api/v1/exports",
                description="Streamed exports: " + ", ".join(KINDS) + ".")

POSITION_HEADER = {"Lector-Position": {
    "description": "The event log position the export reflects (every event up to it).",
    "schema": {"type": "integer"}}}


class EventLogArgsSchema(Schema):
    after = fields.Integer(load_default=0, data_key="from", metadata={
        "description": "Events after this position (default 0: from the first)."})
    until = fields.Integer(load_default=None, data_key="to", metadata={
        "description": "Up to and including this position (default: the last committed)."})
    pii = fields.String(load_default="encrypted", metadata={
        "description": "Personal fields as stored (`encrypted`, default) or `decrypted`. "
                       "Erased readers stay erased either way (their key is gone)."})


@blp.route("/events.jsonl")
class EventLogExport(MethodView):
    @blp.arguments(EventLogArgsSchema, location="query")
    @blp.response(200, description="The event log as JSON Lines, one event per line in "
                  "position order.", content_type=MEDIA_TYPE, headers=POSITION_HEADER)
    @require("admin")
    def get(self, args: dict[str, Any]) -> Any:
        """Download the event log itself (admin): for audits and for moving data out."""
        opened = open_event_log(query_engine(), args["after"], args["until"], args["pii"])
        name = f"lector-events-{opened.after + 1}-{opened.until}-{args['pii']}.jsonl"
        response = Response(stream_with_context(opened.stream()), mimetype=MEDIA_TYPE)
        response.call_on_close(opened.close)
        response.headers["Content-Disposition"] = content_disposition(name, name)
        response.headers["Lector-Position"] = str(opened.until)
        return response


@blp.route("/<kind>")
class ExportFile(MethodView):
    @blp.arguments(ExportArgsSchema, location="query")
    @blp.response(200, description="The file: CSV (UTF-8 with BOM) or XLSX.",
                  content_type="text/csv", headers=POSITION_HEADER)
    @require("librarian")
    def get(self, args: dict[str, Any], kind: str) -> Any:
        """Download an export; column names follow `lang`, the file name names the position."""
        chosen = kind_named(kind)
        now = ports().clock()
        today = library_today(now, ports().timezone)
        params = ExportParams(today, ports().timezone, args["start"], args["end"],
                              args["interval"], args["group_by"], args["branch"],
                              args["category"], args["by"], args["clc"], args["as_of"],
                              args["channel"], segment=args["segment"])
        if "collection" in chosen.projections:  # the settings in force and the question asked
            params = replace(params, collection=query_from(args),
                             report_settings=current_report_settings(ports()))
        export = open_export(query_engine(*chosen.projections), chosen, params, args["lang"])
        fmt = args["format"]
        names = export_filename(chosen, args["lang"], fmt, export.position, today)
        response = Response(stream_with_context(export.stream(fmt)), mimetype=FORMATS[fmt])
        # If the body is never read (client gone), the snapshot must still be released.
        response.call_on_close(export.close)
        response.headers["Content-Disposition"] = content_disposition(*names)
        response.headers["Lector-Position"] = str(export.position)
        return response


@blp.route("/marc/titles")
class MarcTitlesExport(MethodView):
    @blp.arguments(MarcExportArgsSchema, location="query")
    @blp.response(200, description="Every title as one ISO 2709 record (UTF-8); importing "
                  "the file again gives the same titles.", content_type="application/marc")
    @require("librarian")
    def get(self, args: dict[str, Any]) -> Any:
        """Download the catalogue as MARC 21 or CNMARC records."""
        from sqlalchemy import select

        from projections.catalogue import titles

        engine, fmt = query_engine("catalogue"), args["format"]

        def records() -> Any:
            with engine.connect() as conn:
                rows = conn.execute(select(titles).order_by(titles.c.title_id)).mappings()
                yield from iso2709((dict(r) for r in rows), fmt)

        response = Response(stream_with_context(records()), mimetype="application/marc")
        response.headers["Content-Disposition"] = f'attachment; filename="titles-{fmt}.mrc"'
        return response
