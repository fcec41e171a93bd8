"""Import endpoints (admin): MARC records and reader files, answered with a full report."""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from service.adapters.api.auth import current_actor, require
from service.adapters.api.common import ports
from service.adapters.api.schemas.imports import (
    MarcImportArgsSchema,
    MarcImportResultSchema,
    ReaderImportArgsSchema,
    ReaderImportResultSchema,
    UploadSchema,
)
from service.data.importing import import_marc, import_readers
from service.domain.errors import Invalid

# Catalogue files are far larger than any JSON request; allow them here only.
IMPORT_MAX_BYTES = 256 * 1024 * 1024
REPORT_NAME = "reader-import-errors.csv"
CSV = "text/csv; charset=utf-8"

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports",
                description="Bring a library's data in: MARC records and reader lists.")


@blp.before_request
def _allow_large_uploads() -> None:
    request.max_content_length = IMPORT_MAX_BYTES


@blp.route("/marc")
class MarcImport(MethodView):
    @blp.arguments(MarcImportArgsSchema, location="query")
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, MarcImportResultSchema)
    @require("admin")
    def post(self, args: dict[str, Any], files: dict[str, Any]) -> Any:
        """Import a MARC 21 or CNMARC file (ISO 2709 or MARCXML); re-imports never duplicate."""
        only_the_file()
        upload = files["file"]
        return import_marc(ports(), current_actor(), upload.stream,
                           name=upload.filename or "upload", default_branch=args["branch"],
                           dialect=args["format"], encoding=args["encoding"])


def only_the_file() -> None:
    """Refuse multipart parts beside ``file``: the document says the body is that one part."""
    extra = sorted({*request.form, *request.files} - {"file"})
    if extra:
        raise Invalid("unknown_field", "The upload takes only the part 'file'.",
                      "上传只接受名为 file 的部分。",
                      fields={name: ["Unknown field."] for name in extra})


def _wants_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@blp.route("/readers")
class ReaderImport(MethodView):
    @blp.arguments(ReaderImportArgsSchema, location="query")
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, ReaderImportResultSchema)
    @blp.alt_response(200, description="With `Accept: text/csv`: the row error report itself "
                      "(CSV, UTF-8 with BOM); counts in Lector-Import-* headers.",
                      content_type="text/csv", success=True)
    @require("admin")
    def post(self, args: dict[str, Any], files: dict[str, Any]) -> Any:
        """Create or update readers by card number from a CSV/XLSX file (or a dry run)."""
        only_the_file()
        data = files["file"].read()
        summary = import_readers(
            ports(), current_actor(), data, dry_run=args["dry_run"],
            default_category=args["default_category"],
            default_language=args["default_language"],
        )
        report = summary.error_report()
        if _wants_csv():
            response = Response(report, mimetype=CSV)
            response.headers["Content-Disposition"] = f'attachment; filename="{REPORT_NAME}"'
            for name in ("created", "updated", "unchanged", "error_rows"):
                header = "Lector-Import-" + name.replace("_", "-").title()
                response.headers[header] = str(getattr(summary, name))
            response.headers["Lector-Import-Dry-Run"] = str(summary.dry_run).lower()
            return response
        body = {name: getattr(summary, name) for name in (
            "dry_run", "encoding", "created", "updated", "unchanged", "error_rows",
            "ignored_headers", "changes", "errors", "last_position")}
        body["error_report"] = {
            "filename": REPORT_NAME, "content_type": CSV,
            "base64": base64.b64encode(report).decode("ascii"),
        } if summary.errors else None
        return body
