"""Request and response shapes for titles and copies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from events.catalogue import TitleFormat
from service.adapters.api.schemas.common import PageArgsSchema, PageSchema, not_blank

BARCODE = validate.Regexp(r"^[A-Za-z0-9\-]{1,32}$", error="Letters, digits and '-' only (max 32).")
ITEM_TYPE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Lower-case letters, digits, '_'.")
VOLUME = [not_blank, validate.Length(max=64)]
BRANCH = validate.Regexp(r"^[A-Za-z0-9_\-]{1,64}$", error="Letters, digits, '_' and '-'.")


LANGUAGE_CODE = validate.Regexp(r"^[a-z]{3}$", error="An ISO 639-2 code (e.g. chi, eng).")


class NameSchema(Schema):
    name = fields.String(required=True, validate=[not_blank, validate.Length(max=300)])
    role = fields.String(load_default="author", validate=validate.Length(max=100))
    kind = fields.String(load_default="personal",
                         validate=validate.OneOf(["personal", "corporate", "meeting"]))
    original = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=300))


class ClassMarkSchema(Schema):
    scheme = fields.String(required=True, validate=validate.Length(min=1, max=16))
    value = fields.String(required=True, validate=validate.Length(min=1, max=64))


class TitleFieldsSchema(Schema):
    title = fields.String(validate=[not_blank, validate.Length(max=500)])
    authors = fields.List(fields.String(validate=validate.Length(max=200)),
                          validate=validate.Length(max=50))
    isbn = fields.String(allow_none=True, validate=validate.Length(max=32))
    publisher = fields.String(allow_none=True, validate=validate.Length(max=300))
    year = fields.Integer(allow_none=True, validate=validate.Range(min=1000, max=2100))
    language = fields.String(allow_none=True, validate=validate.Length(max=32))
    clc_class = fields.String(allow_none=True, validate=validate.Regexp(
        r"^[A-Z][A-Z0-9.\-/=:()]{0,40}$", error="Not a CLC class mark (e.g. I247.5)."))
    other_classes = fields.Dict(keys=fields.String(validate=validate.Length(max=16)),
                                values=fields.String(validate=validate.Length(max=64)),
                                allow_none=True)
    subjects = fields.List(fields.String(validate=validate.Length(max=200)),
                           validate=validate.Length(max=50))
    title_original = fields.String(allow_none=True, validate=validate.Length(max=500))
    names = fields.List(fields.Nested(NameSchema), validate=validate.Length(max=100))
    classes = fields.List(fields.Nested(ClassMarkSchema), validate=validate.Length(max=50))
    variant_titles = fields.List(fields.String(validate=validate.Length(max=500)),
                                 validate=validate.Length(max=50))
    languages = fields.List(fields.String(validate=LANGUAGE_CODE), validate=validate.Length(max=20))
    format = fields.String(validate=validate.OneOf([f.value for f in TitleFormat]))
    nonfiling = fields.Integer(validate=validate.Range(min=0, max=9))
    series = fields.List(fields.String(validate=validate.Length(max=500)),
                         validate=validate.Length(max=20))
    edition = fields.String(allow_none=True, validate=validate.Length(max=200))
    pages = fields.String(allow_none=True, validate=validate.Length(max=200))
    summary = fields.String(allow_none=True, validate=validate.Length(max=10000))
    publisher_original = fields.String(allow_none=True, validate=validate.Length(max=300))


class CatalogueTitleSchema(TitleFieldsSchema):
    title = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])


class VolumeSchema(Schema):
    enumeration = fields.String()
    copies = fields.Integer()
    available = fields.Integer()


class TitleSchema(Schema):
    title_id = fields.String()
    title = fields.String()
    title_original = fields.String(allow_none=True)
    authors = fields.List(fields.String())
    isbn = fields.String(allow_none=True)
    publisher = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True)
    clc_class = fields.String(allow_none=True)
    other_classes = fields.Dict(allow_none=True)
    subjects = fields.List(fields.String())
    names = fields.List(fields.Nested(NameSchema), allow_none=True)
    classes = fields.List(fields.Nested(ClassMarkSchema), allow_none=True)
    variant_titles = fields.List(fields.String(), allow_none=True)
    languages = fields.List(fields.String(), allow_none=True)
    format = fields.String(allow_none=True)
    nonfiling = fields.Integer(allow_none=True)
    sort_title = fields.String(allow_none=True)
    series = fields.List(fields.String(), allow_none=True)
    edition = fields.String(allow_none=True)
    pages = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    publisher_original = fields.String(allow_none=True)
    availability = fields.Dict(keys=fields.String(), values=fields.Integer())
    volumes = fields.List(fields.Nested(VolumeSchema), metadata={
        "description": "Volumes of a multi-volume work or serial (v.1 before v.10)."})
    holds_waiting = fields.Integer()


class TitleCommandResultSchema(Schema):
    title_id = fields.String()
    position = fields.Integer()
    replayed = fields.Boolean()


# Filter values are compared in SQL: no control characters (PostgreSQL refuses NUL).
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="No control characters.")


class TitleListArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "Words of the title, names, subjects, publisher, series, ISBN (10 or "
                       "13, hyphens optional), call number or volume; accents, case, width, "
                       "traditional/simplified Chinese and pinyin (full or initials) fold."})
    isbn = fields.String(load_default=None, validate=validate.Length(max=32))
    clc_class = fields.String(load_default=None, validate=[validate.Length(max=40), PRINTABLE])
    cls = fields.String(load_default=None, data_key="class",
                        validate=[validate.Length(max=8), PRINTABLE],
                        metadata={"description": "Facet: CLC main class (first letter)."})
    format = fields.String(load_default=None, validate=[validate.Length(max=32), PRINTABLE])
    language = fields.String(load_default=None, validate=[validate.Length(max=16), PRINTABLE])
    year = fields.Integer(load_default=None, validate=validate.Range(min=0, max=9999))
    branch = fields.String(load_default=None, validate=BRANCH,
                           metadata={"description": "Only titles with a copy available here."})
    facets = fields.Boolean(load_default=False, metadata={"description": "Add facet counts."})


class FacetValueSchema(Schema):
    value = fields.Raw()
    count = fields.Integer()


class TitleFacetsSchema(Schema):
    cls = fields.List(fields.Nested(FacetValueSchema), data_key="class")
    format = fields.List(fields.Nested(FacetValueSchema))
    language = fields.List(fields.Nested(FacetValueSchema))
    year = fields.List(fields.Nested(FacetValueSchema))
    branch = fields.List(fields.Nested(FacetValueSchema),
                         metadata={"description": "Titles with a copy available per branch."})


class TitlePageSchema(PageSchema):
    items = fields.List(fields.Nested(TitleSchema))
    facets = fields.Nested(TitleFacetsSchema, allow_none=True)


class AddCopySchema(Schema):
    barcode = fields.String(required=True, validate=BARCODE)
    title_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    branch = fields.String(required=True, validate=BRANCH)
    item_type = fields.String(load_default=None, allow_none=True, validate=ITEM_TYPE, metadata={
        "description": "Default: from the title's format (book, audio, video, score ...)."})
    shelf_mark = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=100))
    price_fen = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=0, max=100_000_000))
    enumeration = fields.String(load_default=None, allow_none=True, validate=VOLUME, metadata={
        "description": "Volume or part of a multi-volume work, e.g. v.3."})
    chronology = fields.String(load_default=None, allow_none=True, validate=VOLUME, metadata={
        "description": "Year or issue of a periodical, e.g. 2024 no.5."})


class WithdrawSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=400))


class CopySchema(Schema):
    barcode = fields.String()
    title_id = fields.String()
    branch = fields.String()
    item_type = fields.String()
    shelf_mark = fields.String(allow_none=True)
    price_fen = fields.Integer(allow_none=True)
    status = fields.String()
    due_on = fields.Date(allow_none=True)
    title = fields.String(allow_none=True)
    enumeration = fields.String(allow_none=True)
    chronology = fields.String(allow_none=True)


class CopyCommandResultSchema(Schema):
    barcode = fields.String()
    title_id = fields.String()
    position = fields.Integer()
    replayed = fields.Boolean()
