"""Request and response shapes for MARC and reader imports."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from service.adapters.api.schemas.common import LANGUAGES

BRANCH = validate.Regexp(r"^[A-Za-z0-9_\-]{1,64}$", error="Letters, digits, '_' and '-'.")
CATEGORY = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Lower-case letters, digits, '_'.")


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "The file (multipart/form-data)."})


class MarcImportArgsSchema(Schema):
    branch = fields.String(load_default="main", validate=BRANCH, metadata={
        "description": "Branch for copies whose 852/952 names none."})
    format = fields.String(load_default="auto", validate=validate.OneOf(
        ["auto", "marc21", "cnmarc"]), metadata={
        "description": "Record format; auto: 200 without 245 is CNMARC/UNIMARC."})
    encoding = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        ["utf-8", "gb18030", "marc8"]), metadata={
        "description": "Character set of an ISO 2709 file (GB2312/GBK: gb18030); detected "
                       "when absent."})


class ReaderImportArgsSchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "Report what would change without changing anything."})
    default_category = fields.String(load_default="adult", validate=CATEGORY, metadata={
        "description": "Category of new readers whose row has none."})
    default_language = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))


class RecordProblemSchema(Schema):
    file = fields.String()
    position = fields.Integer(metadata={"description": "1-based record number in the file."})
    control_number = fields.String(allow_none=True, metadata={"description": "The 001."})
    code = fields.String()
    message_en = fields.String()
    message_zh = fields.String()
    detail = fields.String()


class MarcImportResultSchema(Schema):
    files = fields.List(fields.String())
    records = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer(metadata={"description": "Repeats of an earlier record in the run."})
    copies_added = fields.Integer()
    copies_existing = fields.Integer()
    copies_without_barcode = fields.Integer()
    errors = fields.List(fields.Nested(RecordProblemSchema),
                         metadata={"description": "Records not imported."})
    notices = fields.List(fields.Nested(RecordProblemSchema),
                          metadata={"description": "Records imported with a remark."})
    position = fields.Integer(attribute="last_position")


class RowErrorSchema(Schema):
    row = fields.Integer(attribute="row_number", metadata={"description": "Header is row 1."})
    column = fields.String(allow_none=True)
    code = fields.String()
    value = fields.String()
    reason_en = fields.String()
    reason_zh = fields.String()


class ReaderChangeSchema(Schema):
    row = fields.Integer(attribute="row_number")
    card_number = fields.String()
    action = fields.String(metadata={"description": "create, update or unchanged."})
    reader_id = fields.String(allow_none=True)
    fields_changed = fields.Method("_changed")

    def _changed(self, change: object) -> list[str]:
        return sorted(getattr(change, "changes", {}))


class ErrorReportSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    base64 = fields.String(metadata={"description": "The CSV report (UTF-8 with BOM)."})


class ReaderImportResultSchema(Schema):
    dry_run = fields.Boolean()
    encoding = fields.String(allow_none=True)
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    error_rows = fields.Integer()
    ignored_headers = fields.List(fields.String())
    changes = fields.List(fields.Nested(ReaderChangeSchema))
    errors = fields.List(fields.Nested(RowErrorSchema))
    error_report = fields.Nested(ErrorReportSchema, allow_none=True)
    position = fields.Integer(attribute="last_position")


class ExportArgsSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    lang = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))
    start = fields.Date(load_default=None, data_key="from",
                        metadata={"description": "Trends: first day (default a year ago)."})
    end = fields.Date(load_default=None, data_key="to",
                      metadata={"description": "Trends: last day (default today)."})
    interval = fields.String(load_default="month",
                             validate=validate.OneOf(("day", "week", "month")))
    group_by = fields.String(load_default=None,
                             validate=validate.OneOf(("class", "branch", "category")))


class MarcExportArgsSchema(Schema):
    format = fields.String(load_default="marc21", validate=validate.OneOf(["marc21", "cnmarc"]),
                           metadata={"description": "MARC 21 or CNMARC (ISO 2709, UTF-8)."})
