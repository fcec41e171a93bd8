"""School classes for teachers: classes, pupils, reading list, pupils' progress, batch reserve.

Every route here needs the ``teacher`` role (teachers, librarians and admins); a teacher
reaches only their own classes (``not_your_class``), librarians and admins every class.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from projections.catalogue import list_titles
from projections.families import class_progress_rows, get_class, list_classes
from projections.reader_profiles import get_reader
from service.adapters.api.auth import current_actor, require
from service.adapters.api.common import perform, perform_answer, ports
from service.adapters.api.consistency import read_model, wait_for
from service.adapters.api.families import ListTitleSchema, titles_with_availability
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.application import classes
from service.application.commands import (
    CreateClass,
    ReserveReadingList,
    SetClassPupils,
    SetReadingList,
)
from service.domain.families.classes import MAX_PUPILS, MAX_TITLES, progress_status

blp = Blueprint("classes", __name__, url_prefix="/api/v1/classes",
                description="Teachers' classes and reading lists (role teacher and above).")

CLASS_ID = validate.Regexp(r"^[A-Za-z0-9_\-]{1,64}$", error="Letters, digits, '_' and '-'.")
ID = fields.String(validate=validate.Length(min=1, max=64))


class ClassCreateSchema(Schema):
    class_id = fields.String(required=True, validate=CLASS_ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    school = fields.String(load_default="", validate=validate.Length(max=200))
    card_number = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                                metadata={"description": "The class card batch holds go to."})
    teacher = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                            metadata={"description": "Librarians and admins: the owner."})


class ClassSchema(Schema):
    class_id = fields.String(required=True)
    name = fields.String()
    school = fields.String()
    teacher = fields.String()
    card_reader_id = fields.String(allow_none=True)
    list_name = fields.String()
    created_at = fields.DateTime()


class PupilSchema(Schema):
    reader_id = fields.String()
    card_number = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class ClassDetailSchema(ClassSchema):
    pupils = fields.List(fields.Nested(PupilSchema))
    titles = fields.List(fields.Nested(ListTitleSchema))


class PupilsChangeSchema(Schema):
    card_numbers = fields.List(ID, required=True, validate=validate.Length(max=MAX_PUPILS))


class ReadingListChangeSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    title_ids = fields.List(ID, required=True, validate=validate.Length(max=MAX_TITLES))


class ProgressCellSchema(Schema):
    title_id = fields.String()
    status = fields.String(metadata={"description": "borrowed, returned or not_started."})
    borrows = fields.Integer()


class ProgressRowSchema(Schema):
    reader_id = fields.String()
    card_number = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    titles = fields.List(fields.Nested(ProgressCellSchema))
    borrowed = fields.Integer()
    returned = fields.Integer()


class ProgressSchema(Schema):
    class_id = fields.String()
    titles = fields.List(fields.Nested(ListTitleSchema))
    pupils = fields.List(fields.Nested(ProgressRowSchema))


class BatchReserveSchema(Schema):
    pickup_branch = fields.String(required=True, validate=validate.Length(min=1, max=64))


class BatchResultSchema(Schema):
    title_id = fields.String()
    placed = fields.Boolean()
    hold_id = fields.String(allow_none=True)
    code = fields.String()
    message_en = fields.String()
    message_zh = fields.String()


class BatchReserveResultSchema(Schema):
    class_id = fields.String()
    reader_id = fields.String()
    results = fields.List(fields.Nested(BatchResultSchema))
    position = fields.Integer()


class TitleSearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))


class TitleHitSchema(Schema):
    title_id = fields.String()
    title = fields.String()
    authors = fields.List(fields.String())
    isbn = fields.String(allow_none=True)


def _principal_scope() -> str | None:
    principal = current_actor().principal
    return principal.id if principal.role == "teacher" else None


def _pupils(conn: Any, reader_ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for reader_id in reader_ids:
        profile = get_reader(conn, reader_id) or {}
        out.append({"reader_id": reader_id, "card_number": profile.get("card_number"),
                    "name": profile.get("name")})
    return out


@blp.route("")
class Classes(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ClassSchema(many=True))
    @require("teacher")
    def get(self, _args: dict[str, Any]) -> list[dict[str, Any]]:
        """A teacher's own classes (librarians and admins: every class)."""
        with read_model("families") as conn:
            return list_classes(conn, teacher=_principal_scope())

    @blp.arguments(ClassCreateSchema)
    @blp.response(201, CommandResultSchema)
    @require("teacher")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a class (class_exists, invalid_class, reader_not_found for the card)."""
        return perform_answer(CreateClass(**data))


@blp.route("/titles")
class ClassTitleSearch(MethodView):
    @blp.arguments(TitleSearchArgsSchema, location="query")
    @blp.response(200, TitleHitSchema(many=True))
    @require("teacher")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Titles to put on a reading list (title words, author, ISBN; 20 at most)."""
        with read_model("catalogue") as conn:
            rows, _ = list_titles(conn, q=args["q"] or None, limit=20)
        return [{"title_id": r["title_id"], "title": r["title"],
                 "authors": list(r.get("authors") or []), "isbn": r.get("isbn")} for r in rows]


@blp.route("/<class_id>")
class SchoolClass(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ClassDetailSchema)
    @require("teacher")
    def get(self, _args: dict[str, Any], class_id: str) -> dict[str, Any]:
        """A class with its pupils and its reading list with availability."""
        wait_for(("families",))
        classes.managed_class(ports(), current_actor(), class_id)
        with read_model("families", "catalogue", "reader_profiles") as conn:
            row = get_class(conn, class_id)
            if row is None:  # created, but the read model is behind: ask with min_position
                from service.domain.families.refusals import class_not_found

                raise class_not_found()
            return {**row, "pupils": _pupils(conn, row["pupils"]),
                    "titles": titles_with_availability(conn, row["title_ids"])}


@blp.route("/<class_id>/pupils")
class ClassPupils(MethodView):
    @blp.arguments(PupilsChangeSchema)
    @blp.response(200, CommandResultSchema)
    @require("teacher")
    def put(self, data: dict[str, Any], class_id: str) -> dict[str, Any]:
        """Set the class's pupils by card number (every card must be known)."""
        return perform_answer(SetClassPupils(class_id, tuple(data["card_numbers"])))


@blp.route("/<class_id>/reading-list")
class ClassReadingList(MethodView):
    @blp.arguments(ReadingListChangeSchema)
    @blp.response(200, CommandResultSchema)
    @require("teacher")
    def put(self, data: dict[str, Any], class_id: str) -> dict[str, Any]:
        """Set the class's reading list (title ids in order; every title must exist)."""
        return perform_answer(SetReadingList(class_id, tuple(data["title_ids"]), data["name"]))


@blp.route("/<class_id>/progress")
class ClassProgress(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, ProgressSchema)
    @require("teacher")
    def get(self, _args: dict[str, Any], class_id: str) -> dict[str, Any]:
        """Each pupil's progress on the list: borrowed (on loan now), returned, not started."""
        wait_for(("families",))
        classes.managed_class(ports(), current_actor(), class_id)
        with read_model("families", "catalogue", "reader_profiles") as conn:
            row = get_class(conn, class_id) or {"pupils": [], "title_ids": []}
            done = {(r["reader_id"], r["title_id"]): r for r in class_progress_rows(conn, class_id)}
            pupils = []
            for pupil in _pupils(conn, row["pupils"]):
                cells = []
                for title_id in row["title_ids"]:
                    cell = done.get((pupil["reader_id"], title_id))
                    status = progress_status(bool(cell and cell["on_loan"]),
                                             bool(cell and cell["returned"]))
                    cells.append({"title_id": title_id, "status": status,
                                  "borrows": cell["borrows"] if cell else 0})
                pupils.append({**pupil, "titles": cells,
                               "borrowed": sum(c["status"] == "borrowed" for c in cells),
                               "returned": sum(c["status"] == "returned" for c in cells)})
            return {"class_id": class_id, "pupils": pupils,
                    "titles": titles_with_availability(conn, row["title_ids"])}


@blp.route("/<class_id>/reservations")
class ClassReservations(MethodView):
    @blp.arguments(BatchReserveSchema)
    @blp.response(200, BatchReserveResultSchema)
    @require("teacher")
    def post(self, data: dict[str, Any], class_id: str) -> dict[str, Any]:
        """Reserve the list for a class visit: one hold per title for the class card at the
        branch; each title is placed or refused on its own (its code and messages)."""
        return dict(perform(ReserveReadingList(class_id, data["pickup_branch"])).result)
